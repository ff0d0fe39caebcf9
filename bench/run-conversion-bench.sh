#!/usr/bin/env bash
# The codecs benchmark: Kiln's writers against qemu-img and lbzip2 on a multi-GiB disk of real
# data (bench/make-bench-disk.sh), alternating, >= 5 runs, medians and ratios, every output
# checked by qemu-img compare. Kiln's heap is capped at 256 MiB. Writes docs/benchmarks.md's
# table to bench/results/conversion-latest.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=${RUNS:-5}
work=${WORK:-/var/tmp/kiln-bench}
command -v lbzip2 >/dev/null || apt-get install -y -qq lbzip2 >/dev/null
disk=$("$root/bench/make-bench-disk.sh" "$work/disk.raw")
[ -f "$root/examples/target/kiln.jar" ] || "$root/kiln" version >/dev/null
mkdir -p "$root/bench/results" "$work"
# a private copy, so rebuilding Kiln while the benchmark runs cannot swap classes under it
cp "$root/examples/target/kiln.jar" "$work/kiln-bench.jar"
java -Xmx256m -Dkiln.bench.cases="${CASES:-}" -cp "$work/kiln-bench.jar" dev.kiln.examples.bench.ConversionBenchmark \
  "$disk" "${OUT:-$work/out}" "$runs" "$root/bench/results/conversion-latest.md"
