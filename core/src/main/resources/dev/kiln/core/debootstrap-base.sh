#!/usr/bin/env bash
# Kiln's debootstrap source (and the VM test fixture): a BIOS-bootable Debian cloud disk
# (cloud-init, sshd, qemu-guest-agent, dbus) built from Debian's package mirror alone, with no
# mounts and no loop devices. It is bootstrapped from the release suite (the point release: a
# recipe's `packages: {upgrade: true}` brings in security updates), and it ships the sources a
# deployed VM needs to stay patched: the release, -updates and -security suites. GRUB is
# Debian's grub-pc with /etc/default/grub, so update-grub (run by the kernel's postinst hook)
# regenerates the boot menu and a kernel update is booted; the first grub.cfg is written here
# because grub-mkconfig needs the real disk (the build machine regenerates it).
# Settings: KILN_SUITE (bookworm), KILN_DEBIAN_MIRROR, KILN_DEBIAN_SECURITY_MIRROR,
# KILN_EXTRA_PACKAGES (comma-separated), KILN_DISK_MIB (3072). Cached by the hash of this
# script and its settings in ${KILN_FIXTURES:-/var/tmp/kiln-fixtures} (QEMU runs as
# libvirt-qemu and must reach it, so not under a private home); prints the raw disk's path.
# Beside the disk, DISK.indexes/: a copy of each InRelease (signed suite index) it came from.
set -euo pipefail
cache=${KILN_FIXTURES:-/var/tmp/kiln-fixtures}
suite=${KILN_SUITE:-bookworm}
extra=${KILN_EXTRA_PACKAGES:-}
size_mib=${KILN_DISK_MIB:-3072}
case "$suite" in bookworm|trixie) ;; *) echo "unsupported suite $suite" >&2; exit 2 ;; esac
case "$extra" in *[!a-z0-9.+,-]*) echo "bad package list" >&2; exit 2 ;; esac
case "$size_mib" in *[!0-9]*|"") echo "bad disk size" >&2; exit 2 ;; esac
mirror=${KILN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${KILN_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
for url in "$mirror" "$security"; do
  case "$url" in http://*|https://*) ;; *) echo "bad mirror $url" >&2; exit 2 ;; esac
  case "$url" in *[[:space:]]*) echo "bad mirror $url" >&2; exit 2 ;; esac
done
key=$( (sha256sum "${BASH_SOURCE[0]}"; echo "$suite $mirror $security $extra $size_mib") | sha256sum | cut -c1-16)
out="$cache/debian-$suite-$key.raw"
if [ -f "$out" ]; then
  echo "$out"
  exit 0
fi
for tool in mmdebstrap mkfs.ext4 parted grub-mkimage uuidgen; do
  command -v "$tool" >/dev/null || { echo "missing $tool: run scripts/host-setup.sh" >&2; exit 1; }
done
mkdir -p "$cache"
chmod 755 "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mmdebstrap --quiet --mode=root --variant=apt --format=directory --skip=cleanup/apt/lists \
  --include=dbus,locales,systemd-sysv,udev,linux-image-amd64,grub-pc,openssh-server,cloud-init,cloud-guest-utils,qemu-guest-agent,ifupdown,isc-dhcp-client,sudo,netbase,iproute2,ca-certificates${extra:+,$extra} \
  "$suite" "$root" "$mirror"
# the signed indexes the base was bootstrapped from (each suite's InRelease, with its date: the
# mirror's snapshot), for the build's manifest; then the lists go, as mmdebstrap's cleanup would
mkdir "$work/indexes"
cp "$root"/var/lib/apt/lists/*_InRelease "$work/indexes/"
find "$root/var/lib/apt/lists" -maxdepth 1 -type f ! -name lock -delete
cat > "$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
uuid=$(uuidgen)
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" > "$root/etc/fstab"
rm -f "$root"/etc/ssh/ssh_host_*
: > "$root/etc/machine-id"
echo "LANG=C.UTF-8" > "$root/etc/default/locale"
mkdir -p "$root/etc/cloud/cloud.cfg.d"
printf 'locale: C.UTF-8\nmanage_etc_hosts: true\n' > "$root/etc/cloud/cloud.cfg.d/90-kiln.cfg"
# cloud-init renders the NIC's DHCP stanza into interfaces.d (eth0: net.ifnames=0 below)
printf 'auto lo\niface lo inet loopback\nsource /etc/network/interfaces.d/*\n' \
  > "$root/etc/network/interfaces"
# what update-grub reads (a drop-in: /etc/default/grub stays the package's conffile)
mkdir -p "$root/etc/default/grub.d"
cat > "$root/etc/default/grub.d/50-kiln-cloud.cfg" <<'DEFAULTS'
# Written by Kiln: a cloud VM's console is its serial port; interface names as eth0
GRUB_TIMEOUT=1
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8 net.ifnames=0"
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
GRUB_DISABLE_OS_PROBER=true
DEFAULTS
mkdir -p "$root/boot/grub/i386-pc"
cp "$root"/usr/lib/grub/i386-pc/*.mod "$root"/usr/lib/grub/i386-pc/*.lst "$root/boot/grub/i386-pc/"
kernels=("$root"/boot/vmlinuz-*)
kernel=${kernels[-1]##*/}
initrd=initrd.img-${kernel#vmlinuz-}
[ -f "$root/boot/$initrd" ] || { echo "no $initrd in the base" >&2; exit 1; }
cat > "$root/boot/grub/grub.cfg" <<GRUB
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
search --no-floppy --fs-uuid --set=root $uuid
menuentry debian {
  linux /boot/$kernel root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8 net.ifnames=0
  initrd /boot/$initrd
}
GRUB
mkfs.ext4 -q -F -L root -U "$uuid" -d "$root" "$work/fs.img" $((size_mib - 1))M
truncate -s "${size_mib}M" "$work/disk.raw"
parted -s "$work/disk.raw" mklabel msdos mkpart primary ext4 1MiB 100% set 1 boot on
dd if="$work/fs.img" of="$work/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
grub-mkimage -O i386-pc -d "$root/usr/lib/grub/i386-pc" -o "$work/core.img" \
  -p '(hd0,msdos1)/boot/grub' biosdisk part_msdos ext2 search search_fs_uuid normal linux \
  configfile echo test serial terminal
dd if="$root/usr/lib/grub/i386-pc/boot.img" of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$work/core.img" of="$work/disk.raw" bs=512 seek=1 conv=notrunc status=none
chmod 644 "$work/disk.raw" "$work"/indexes/*
chmod 755 "$work/indexes"
# the indexes first: a cached disk always has them beside it
rm -rf "$out.indexes"
mv "$work/indexes" "$out.indexes"
mv "$work/disk.raw" "$out"
echo "$out"
