#!/usr/bin/env bash
# The rebuild benchmark (issue 26): the README's Debian build with four provisioning steps
# (bench/recipes/debian-12-provisioned.yaml), built cold (step cache empty), rebuilt after
# editing its last step, and rebuilt after editing its first step. Each build is the whole
# `kiln build` process (JVM start, verify boot included). One build first, not counted, makes
# the Debian base (mmdebstrap) so no counted build pays for it; each round then clears the step
# cache and runs cold, last-edited, first-edited in that order (each rebuild needs the cold
# build's layers). Prints every run, its stage times from manifest.json, medians and ratios.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=${RUNS:-1}
work=${WORK:-/var/tmp/kiln-bench/rebuild}
mkdir -p "$work"
[ -f "$root/examples/target/kiln.jar" ] || "$root/kiln" version >/dev/null
cp "$root/examples/target/kiln.jar" "$work/kiln-rebuild-bench.jar"
kiln=(java -Xmx256m -jar "$work/kiln-rebuild-bench.jar")
wr="$work/work-root"

# three copies of the recipe: as it is, last step edited, first step edited
for v in cold last first; do
  rm -rf "${work:?}/$v"
  cp -r "$root/bench/recipes" "$work/$v"
done
sed -i 's/release 1/release 2/' "$work/last/debian-12-provisioned.yaml"
sed -i 's/install: \[nginx-light, jq\]/install: [nginx-light, jq, tree]/' \
  "$work/first/debian-12-provisioned.yaml"
grep -q "release 2" "$work/last/debian-12-provisioned.yaml"
grep -q "jq, tree" "$work/first/debian-12-provisioned.yaml"

build() { # variant label: wall seconds of one build; its manifest's stage times kept
  local v=$1 start end
  start=$(date +%s.%N)
  if ! "${kiln[@]}" build "$work/$v/debian-12-provisioned.yaml" --work-root "$wr" \
      --out "$work/out-$v" --force --output json >"$work/$v.log" 2>&1; then
    echo "the $v build failed; its output: $work/$v.log" >&2
    tail -20 "$work/$v.log" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  /usr/bin/python3 - "$work/out-$v/manifest.json" "$2" >>"$work/stages.md" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
s = m.get("stageSeconds", {})
c = m.get("stepCache", {})
print("| %s | %s | %s | %s |" % (sys.argv[2], c.get("reusedSteps", "-"),
      " ".join("%s %.0f" % (k, v) for k, v in s.items()), m.get("host", {}).get("accelerator")))
PY
  echo "$end - $start" | bc
}

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

: >"$work/stages.md"
build cold "warm-up (not counted)" >/dev/null
c=() l=() f=()
for i in $(seq 1 "$runs"); do
  "${kiln[@]}" cache clear --work-root "$wr" >/dev/null
  c+=("$(build cold "round $i cold")")
  l+=("$(build last "round $i last step edited")")
  f+=("$(build first "round $i first step edited")")
done
mc=$(printf '%s\n' "${c[@]}" | median)
ml=$(printf '%s\n' "${l[@]}" | median)
mf=$(printf '%s\n' "${f[@]}" | median)
echo "| build | runs | every run (s) | median (s) | vs cold |"
echo "|---|---|---|---|---|"
echo "| cold (step cache empty) | $runs | ${c[*]} | $mc | 1.00 |"
echo "| last step edited | $runs | ${l[*]} | $ml | $(echo "scale=2; $ml / $mc" | bc) |"
echo "| first step edited | $runs | ${f[*]} | $mf | $(echo "scale=2; $mf / $mc" | bc) |"
echo
echo "| run | steps reused | stage seconds | accelerator |"
echo "|---|---|---|---|"
cat "$work/stages.md"
