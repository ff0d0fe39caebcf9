#!/usr/bin/env bash
# The user's view of conversion speed: `kiln convert` as a whole process (JVM start, default
# checksum SHA-256 included) against `qemu-img convert` alone and against `qemu-img convert`
# followed by `sha256sum` (what a user runs to get the same artifact and checksum). Alternating
# order, RUNS (default 5) rounds, every output synced before the clock stops, checked with
# qemu-img compare and deleted before the next tool runs. Prints every run, medians and ratios
# (peer / Kiln: above 1 means Kiln is faster) as a Markdown table. `kiln convert --checksum none`
# is timed too: the conversion alone, like for like with qemu-img alone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=${RUNS:-5}
work=${WORK:-/var/tmp/kiln-bench}
disk=$("$root/bench/make-bench-disk.sh" "$work/disk.raw")
[ -f "$root/examples/target/kiln.jar" ] || "$root/kiln" version >/dev/null
mkdir -p "$work/cli"
cp "$root/examples/target/kiln.jar" "$work/kiln-cli-bench.jar"
kiln=(java -Xmx256m -jar "$work/kiln-cli-bench.jar")


# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

# case: name, kiln destination suffix, qemu-img -O format and options
cases=("qcow2|qcow2|-O qcow2" "vhd (dynamic)|vhd|-O vpc -o subformat=dynamic" "vhdx|vhdx|-O vhdx" "raw|raw|-O raw")
echo "| case | runs | kiln convert (s) | kiln --checksum none (s) | qemu-img (s) | qemu-img + sha256sum (s) | kiln vs qemu-img | kiln vs qemu-img + sha256sum | kiln none vs qemu-img |"
echo "|---|---|---|---|---|---|---|---|---|"
details=""
for c in "${cases[@]}"; do
  IFS='|' read -r name ext opts <<<"$c"
  k=() n=() q=() s=()
  # warm-up (page cache, JIT), not counted
  "${kiln[@]}" convert --force "$disk" "$work/cli/k.$ext" >/dev/null 2>&1; rm -f "$work/cli/k.$ext"
  for i in $(seq 1 "$runs"); do
    for who in $( ((i % 2)) && echo "kiln none qemu sum" || echo "sum qemu none kiln"); do
      case $who in
        kiln)
          k+=("$(seconds "${kiln[@]}" convert --force "$disk" "$work/cli/k.$ext")")
          qemu-img compare -q -f raw "$disk" "$work/cli/k.$ext"
          rm -f "$work/cli/k.$ext" ;;
        none)
          n+=("$(seconds "${kiln[@]}" convert --force --checksum none "$disk" "$work/cli/n.$ext")")
          rm -f "$work/cli/n.$ext" ;;
        qemu)
          # shellcheck disable=SC2086 # the options are words
          q+=("$(seconds qemu-img convert -f raw $opts "$disk" "$work/cli/q.$ext")")
          rm -f "$work/cli/q.$ext" ;;
        sum)
          # shellcheck disable=SC2086
          s+=("$(seconds sh -c "qemu-img convert -f raw $opts '$disk' '$work/cli/s.$ext' && sha256sum '$work/cli/s.$ext'")")
          rm -f "$work/cli/s.$ext" ;;
      esac
    done
  done
  km=$(printf '%s\n' "${k[@]}" | median); qm=$(printf '%s\n' "${q[@]}" | median)
  sm=$(printf '%s\n' "${s[@]}" | median); nm=$(printf '%s\n' "${n[@]}" | median)
  printf '| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f× | %.2f× | %.2f× |\n' "$name" "$runs" "$km" \
    "$nm" "$qm" "$sm" "$(echo "$qm / $km" | bc -l)" "$(echo "$sm / $km" | bc -l)" \
    "$(echo "$qm / $nm" | bc -l)"
  details+="- $name: kiln ${k[*]} / kiln none ${n[*]} / qemu-img ${q[*]} / qemu-img + sha256sum ${s[*]}"$'\n'
done
echo
echo "Every run (seconds):"
echo
printf '%s' "$details"
