#!/usr/bin/env bash
# Makes the fuzz targets' seed corpus from images that independent tools write (qemu-img and
# qemu-io, xorriso, genisoimage, Python's tarfile), never from Kiln's own writers, and stores
# them in the sparse form the targets read (formats/src/test/java/.../fuzz/FuzzInput.java).
# The seeds are committed; run this again only to change them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seeds="$root/formats/src/test/resources/dev/kiln/formats/fuzz/ReaderFuzzTestInputs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# encode FILE SEED: the non-zero 512-byte sectors of FILE as KSPR chunks
encode() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
chunks, i, n = [], 0, len(data)
while i < n:
    if data[i:i + 512].strip(b'\0'):
        j = i
        while j < n and j - i < 65024 and data[j:j + 512].strip(b'\0'):
            j += 512
        chunks.append((i, data[i:min(j, n)]))
        i = j
    else:
        i += 512
out = struct.pack('<4sI', b'KSPR', n) + b''.join(
    struct.pack('<IH', off, len(c)) + c for off, c in chunks)
open(sys.argv[2], 'wb').write(out)
PY
}

mkdir -p "$seeds/disk" "$seeds/iso" "$seeds/ova"
rm -f "$seeds"/disk/seed-* "$seeds"/iso/seed-* "$seeds"/ova/seed-*

qimg() { qemu-img create -q "$@"; }
qio() { qemu-io -f "$1" -c "write -q -P $3 $4 $5" "$2"; }

# ---- disks ----------------------------------------------------------------------------
qimg -f qcow2 q3.qcow2 4M && qio qcow2 q3.qcow2 0xa1 0 64k && qio qcow2 q3.qcow2 0xa2 1M 4k
qimg -f qcow2 -o cluster_size=512 q512.qcow2 1M && qio qcow2 q512.qcow2 0xb1 0 2k
qimg -f qcow2 -o compat=0.10 q2.qcow2 4M && qio qcow2 q2.qcow2 0xc1 64k 64k
qimg -f qcow2 -o refcount_bits=1,cluster_size=4096 qr1.qcow2 1M && qio qcow2 qr1.qcow2 0xd1 0 8k
qimg -f qcow2 -o refcount_bits=64,cluster_size=4096 qr64.qcow2 1M && qio qcow2 qr64.qcow2 0xd2 0 8k
qimg -f raw plain.raw 1M && qio raw plain.raw 0xe1 4096 4096
qemu-img convert -c -O qcow2 -o cluster_size=4096 plain.raw qc.qcow2
qimg -f qcow2 -o cluster_size=4096,backing_file=plain.raw,backing_fmt=raw qb.qcow2 1M
qio qcow2 qb.qcow2 0xe2 8192 4096
qimg -f vpc -o subformat=dynamic vd.vhd 4M && qio vpc vd.vhd 0xf1 0 64k && qio vpc vd.vhd 0xf2 2M 512
qimg -f vpc -o subformat=fixed vf.vhd 1M && qio vpc vf.vhd 0xf3 512 512
qimg -f vhdx -o block_size=1M vx.vhdx 4M && qio vhdx vx.vhdx 0x91 0 64k
qimg -f vmdk -o cluster_size=4096 vs.vmdk 1M 2>/dev/null || qimg -f vmdk vs.vmdk 1M
qio vmdk vs.vmdk 0x92 0 64k
qemu-img convert -O vmdk -o subformat=streamOptimized plain.raw vso.vmdk
for f in q3.qcow2 q512.qcow2 q2.qcow2 qr1.qcow2 qr64.qcow2 qc.qcow2 qb.qcow2 vd.vhd vf.vhd \
    vx.vhdx vs.vmdk vso.vmdk plain.raw; do
  encode "$f" "$seeds/disk/seed-$f"
done

# ---- ISOs -----------------------------------------------------------------------------
mkdir -p tree/sub tree/boot
printf 'hello\n' > tree/hello.txt
printf 'x=1\n' > tree/sub/a-rather-long-file-name.cfg
ln -s ../hello.txt tree/sub/link
head -c 2048 /dev/zero | tr '\0' 'B' > tree/boot/boot.img
xorriso -as mkisofs -R -J -V KILN_SEED -quiet -o rr.iso tree
genisoimage -J -quiet -o joliet.iso tree 2>/dev/null
xorriso -as mkisofs -R -quiet -b boot/boot.img -no-emul-boot -boot-load-size 4 -o boot.iso tree
for f in rr.iso joliet.iso boot.iso; do
  encode "$f" "$seeds/iso/seed-$f"
done

# ---- OVAs -----------------------------------------------------------------------------
cat > vm.ovf <<'OVF'
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <References><File ovf:id="f1" ovf:href="disk1.vmdk"/></References>
  <DiskSection><Info>disks</Info><Disk ovf:diskId="d1" ovf:fileRef="f1" ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^20"/></DiskSection>
  <VirtualSystem ovf:id="vm"><Info>vm</Info><Name>vm</Name>
    <OperatingSystemSection ovf:id="96"><Info>os</Info><Description>Debian</Description></OperatingSystemSection>
    <VirtualHardwareSection><Info>hw</Info>
      <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>512</rasd:VirtualQuantity></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
OVF
cp vso.vmdk disk1.vmdk
for fmt in GNU_FORMAT PAX_FORMAT USTAR_FORMAT; do
  /usr/bin/python3 - "$fmt" <<'PY'
import hashlib, io, sys, tarfile
fmt = sys.argv[1]
names = ['vm.ovf', 'disk1.vmdk'] if fmt != 'PAX_FORMAT' else ['disk1.vmdk', 'vm.ovf']
t = tarfile.open('seed-%s.ova' % fmt.split('_')[0].lower(), 'w', format=getattr(tarfile, fmt))
mf = ''
for n in names:
    t.add(n)
    mf += 'SHA256(%s)= %s\n' % (n, hashlib.sha256(open(n, 'rb').read()).hexdigest())
b = mf.encode()
i = tarfile.TarInfo('vm.mf'); i.size = len(b)
t.addfile(i, io.BytesIO(b))
t.close()
PY
done
for f in seed-*.ova; do
  encode "$f" "$seeds/ova/$f"
done
ls -la "$seeds"/*
