#!/usr/bin/env bash
# Builds the small "installer" the ISO-flow tests install with: a Debian kernel, an initramfs
# of busybox, the kernel modules for virtio disks and SATA CD-ROMs, and an /init that reads its
# answer file from the CD labelled OEMDRV, writes the payload disk image (the Debian fixture)
# from the installer CD to /dev/vda and powers off. Everything comes from Debian packages
# (apt-get download; no root filesystem, no mounts). Cached by this script's hash in
# ${KILN_FIXTURES:-/var/tmp/kiln-fixtures}; prints the directory holding vmlinuz, initrd.gz
# and payload.img.gz.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache=${KILN_FIXTURES:-/var/tmp/kiln-fixtures}
fixture=$(bash "$here/build-debian-fixture.sh")
key=$( (sha256sum "${BASH_SOURCE[0]}"; echo "$fixture") | sha256sum | cut -c1-16)
out="$cache/installer-$key"
if [ -f "$out/payload.img.gz" ]; then
  echo "$out"
  exit 0
fi
work=$(mktemp -d "$cache/installer-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt-get update -qq
kernel_pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
apt-get download -q "$kernel_pkg" busybox-static >/dev/null
mkdir pkg root
for deb in ./*.deb; do dpkg-deb -x "$deb" pkg; done
kver=$(find pkg/lib/modules -mindepth 1 -maxdepth 1 -printf "%f\n" | sort | head -1)
mkdir -p root/bin root/dev root/proc root/sys root/mnt root/lib/modules/"$kver"
cp pkg/bin/busybox root/bin/busybox
for m in virtio_blk virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio virtio_ring \
    cdrom sr_mod scsi_mod scsi_common libata libahci ahci isofs; do
  f=$(find pkg/lib/modules/"$kver" -name "$m.ko*" | head -1)
  [ -n "$f" ] || continue
  mkdir -p "root/$(dirname "${f#pkg/}")"
  cp "$f" "root/${f#pkg/}"
done
cp pkg/lib/modules/"$kver"/modules.order pkg/lib/modules/"$kver"/modules.builtin \
  root/lib/modules/"$kver"/ 2>/dev/null || true
depmod -b root "$kver"
cat > root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "kiln-test-installer: started" > /dev/console
for m in virtio_pci virtio_blk ahci sr_mod isofs; do modprobe "$m" 2>/dev/null; done
sleep 2
mkdir -p /cdrom /answers /mnt/probe
for dev in /dev/sr0 /dev/sr1 /dev/sr2; do
  [ -b "$dev" ] || continue
  mount -t iso9660 -o ro "$dev" /mnt/probe 2>/dev/null || continue
  if [ -f /mnt/probe/payload.img.gz ]; then
    umount /mnt/probe; mount -t iso9660 -o ro "$dev" /cdrom
  elif [ -f /mnt/probe/kiln-install.cfg ]; then
    cp /mnt/probe/kiln-install.cfg /answers/; umount /mnt/probe
  else
    umount /mnt/probe
  fi
done
if [ ! -f /answers/kiln-install.cfg ] || [ ! -f /cdrom/payload.img.gz ]; then
  echo "kiln-test-installer: FAILED: no answer file on OEMDRV or no payload" > /dev/console
  poweroff -f
fi
echo "kiln-test-installer: answers $(md5sum < /answers/kiln-install.cfg | cut -d' ' -f1)" > /dev/console
zcat /cdrom/payload.img.gz > /dev/vda
sync
echo "kiln-test-installer: installed" > /dev/console
poweroff -f
INIT
chmod 755 root/init
(cd root && find . | cpio -o -H newc --quiet | gzip -1) > initrd.gz
mkdir -p "$out.tmp"
cp pkg/boot/vmlinuz-"$kver" "$out.tmp/vmlinuz"
mv initrd.gz "$out.tmp/initrd.gz"
gzip -1 -c "$fixture" > "$out.tmp/payload.img.gz"
chmod -R a+rX "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
