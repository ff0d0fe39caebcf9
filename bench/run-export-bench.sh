#!/usr/bin/env bash
# The build's export stage against the equivalent pipeline of peer tools on the same disk
# (issue 26, item 4c). Both make the README recipe's artifacts — qcow2 (KVM), vhd.bz2
# (XenServer), OVA (VMware) — and the SHA-256 of each:
#   kiln: the export stage's own code (Exporter, with the private-key and secret scans a build
#         runs in the same read), one JVM, heap capped at 256 MiB;
#   peer: qemu-img convert -O qcow2; qemu-img convert -O vpc + lbzip2; qemu-img convert -O vmdk
#         (streamOptimized) + an OVF + tar; sha256sum of the three — one after the other, as a
#         script runs them, and again with the three conversions as parallel jobs.
# Alternating order, RUNS (default 3) rounds, outputs synced before the clock stops and deleted
# after. Prints every run, medians and ratios (Kiln / peer: below 1 means Kiln is faster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=${RUNS:-3}
work=${WORK:-/var/tmp/kiln-bench}
disk=$("$root/bench/make-bench-disk.sh" "$work/disk.raw")
(cd "$root" && mvn -q -o -B -DskipTests -Dskip.validators install >/dev/null \
  && mvn -q -o -B -pl examples test-compile dependency:build-classpath \
       -Dmdep.outputFile="$work/export-bench.classpath" >/dev/null)
cp="$root/examples/target/test-classes:$root/examples/target/classes:$(cat "$work/export-bench.classpath")"
mkdir -p "$work/export"
cat > "$work/export/bench.ovf" <<'OVF'
<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><References><File ovf:href="bench-disk1.vmdk" ovf:id="file1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"/></References></Envelope>
OVF

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

kiln() {
  rm -rf "$work/export/k" && mkdir -p "$work/export/k"
  java -Xmx256m -cp "$cp" dev.kiln.core.internal.pipeline.ExportStageBench "$disk" "$work/export/k"
}
peer_vhd() { qemu-img convert -f raw -O vpc -o subformat=dynamic "$disk" "$1/bench.vhd" && lbzip2 -f "$1/bench.vhd"; }
peer_ova() {
  qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$disk" "$1/bench-disk1.vmdk" \
    && cp "$work/export/bench.ovf" "$1/" && tar -C "$1" -cf "$1/bench.ova" bench.ovf bench-disk1.vmdk \
    && rm -f "$1/bench-disk1.vmdk"
}
peer() {
  local d="$work/export/p"
  rm -rf "$d" && mkdir -p "$d"
  qemu-img convert -f raw -O qcow2 "$disk" "$d/bench.qcow2"
  peer_vhd "$d"
  peer_ova "$d"
  (cd "$d" && sha256sum bench.qcow2 bench.vhd.bz2 bench.ova > SHA256SUMS)
}
peer_parallel() {
  local d="$work/export/j"
  rm -rf "$d" && mkdir -p "$d"
  qemu-img convert -f raw -O qcow2 "$disk" "$d/bench.qcow2" & a=$!
  peer_vhd "$d" & b=$!
  peer_ova "$d" & c=$!
  wait $a && wait $b && wait $c
  (cd "$d" && sha256sum bench.qcow2 bench.vhd.bz2 bench.ova > SHA256SUMS)
}
export -f peer_vhd peer_ova
export disk work

# warm-up (page cache, JIT), not counted; Kiln's qcow2 is checked against the disk once
kiln >/dev/null 2>&1
qemu-img compare -q -f raw -F qcow2 "$disk" "$work/export/k/bench.qcow2"
(cd "$work/export/k" && sha256sum -c --quiet SHA256SUMS)
k=() p=() j=()
for i in $(seq 1 "$runs"); do
  for who in $( ((i % 2)) && echo "kiln peer parallel" || echo "parallel peer kiln"); do
    case $who in
      kiln) k+=("$(seconds kiln)") ;;
      peer) p+=("$(seconds peer)") ;;
      parallel) j+=("$(seconds peer_parallel)") ;;
    esac
  done
done
km=$(printf '%s\n' "${k[@]}" | median); pm=$(printf '%s\n' "${p[@]}" | median)
jm=$(printf '%s\n' "${j[@]}" | median)
size() { stat -c %s "$1"; }
echo "| pipeline | runs | median (s) | Kiln / this |"
echo "|---|---|---|---|"
printf '| Kiln export stage | %s | %.1f | 1.00× |\n' "$runs" "$km"
printf '| peer tools, one after the other | %s | %.1f | %.2f× |\n' "$runs" "$pm" "$(echo "$km / $pm" | bc -l)"
printf '| peer tools, three parallel jobs | %s | %.1f | %.2f× |\n' "$runs" "$jm" "$(echo "$km / $jm" | bc -l)"
echo
echo "Sizes (bytes): Kiln qcow2 $(size "$work/export/k/bench.qcow2"), vhd.bz2 $(size "$work/export/k/bench.vhd.bz2"), ova $(size "$work/export/k/bench.ova"); peer qcow2 $(size "$work/export/p/bench.qcow2"), vhd.bz2 $(size "$work/export/p/bench.vhd.bz2"), ova $(size "$work/export/p/bench.ova")."
echo
echo "Every run (seconds): Kiln ${k[*]} / peer ${p[*]} / peer parallel ${j[*]}"
rm -rf "$work/export/k" "$work/export/p" "$work/export/j"
