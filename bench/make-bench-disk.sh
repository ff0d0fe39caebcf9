#!/usr/bin/env bash
# Builds the conversion benchmark's source disk (cached): a 6 GiB sparse raw disk holding
# ~2.5 GB of mixed real data — an ext4 filesystem of this Debian host's /usr/lib (made with
# mkfs.ext4 -d, no mount), 512 MiB of random bytes, 256 MiB of text, 256 MiB of allocated
# zeros — and holes elsewhere.
set -euo pipefail
out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/kiln-bench/disk.raw}
mkdir -p "$(dirname "$out")"
if [ -f "$out" ]; then
  echo "$out"
  exit 0
fi
tmp="$out.partial"
fs="$out.fs.partial"
rm -f "$tmp" "$fs"
truncate -s 6G "$tmp"
# an ext4 image of real files, filled without mounting; the staging tree is hard links
stage="$out.stage"
rm -rf "$stage"
mkdir -p "$stage/lib"
for d in /usr/share /usr/bin; do cp -al "$d" "$stage/" 2>/dev/null || cp -a "$d" "$stage/"; done
for d in /usr/lib/x86_64-linux-gnu /usr/lib/jvm; do
  cp -al "$d" "$stage/lib/" 2>/dev/null || cp -a "$d" "$stage/lib/"
done
mkfs.ext4 -q -F -L benchroot -d "$stage" "$fs" 3G >/dev/null
rm -rf "$stage"
dd if="$fs" of="$tmp" bs=4M seek=1M oflag=seek_bytes conv=notrunc,sparse status=none
rm -f "$fs"
head -c 512M /dev/urandom | dd of="$tmp" bs=4M seek=$((3584))M oflag=seek_bytes conv=notrunc status=none
(yes "Kiln benchmark text line: the quick brown fox jumps over the lazy dog 0123456789" || true) \
  | head -c 256M | dd of="$tmp" bs=4M seek=$((4352))M oflag=seek_bytes conv=notrunc status=none
head -c 256M /dev/zero | dd of="$tmp" bs=4M seek=$((5120))M oflag=seek_bytes conv=notrunc status=none
mv "$tmp" "$out"
echo "$out"
