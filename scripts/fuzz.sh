#!/usr/bin/env bash
# Coverage-guided fuzzing of Kiln's readers with Jazzer's standalone driver (libFuzzer for the
# JVM): each target in turn for SECONDS (default 30; a nightly run gives 1200 or more), in a
# JVM capped at a 256 MiB heap as the readers promise, with a per-input timeout. The corpus
# grows in formats/target/fuzz/TARGET/corpus (seeded from the committed seeds); a finding is
# written to formats/target/fuzz/findings/ and makes this script exit 1. Copy a finding into
# formats/src/test/resources/dev/kiln/formats/fuzz/ReaderFuzzTestInputs/TARGET/ and it becomes
# a regression test of the ordinary build.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: disk iso ova)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(disk iso ova)

cd "$root"
out="$root/formats/target/fuzz"
mkdir -p "$out/findings"
if [ ! -f "$root/formats/target/test-classes/dev/kiln/formats/fuzz/Fuzzers.class" ] \
    || [ ! -f "$out/classpath" ]; then
  mvn -B -ntp -q -pl formats -am test-compile -DskipTests
  mvn -B -ntp -q -pl formats dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$out/classpath"
fi
cp="$root/formats/target/test-classes:$root/formats/target/classes:$(cat "$out/classpath")"
seeds="$root/formats/src/test/resources/dev/kiln/formats/fuzz/ReaderFuzzTestInputs"

status=0
for t in "${targets[@]}"; do
  case "$t" in
    disk) class="dev.kiln.formats.fuzz.Fuzzers\$Disk" ;;
    iso) class="dev.kiln.formats.fuzz.Fuzzers\$Iso" ;;
    ova) class="dev.kiln.formats.fuzz.Fuzzers\$Ova" ;;
    *) echo "fuzz: unknown target $t (disk, iso, ova)" >&2; exit 2 ;;
  esac
  corpus="$out/$t/corpus"
  mkdir -p "$corpus"
  log="$out/$t.log"
  echo "fuzz: $t for ${seconds}s (log: $log)"
  set +e
  java -Xmx256m -Xss1m -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class="$class" \
    --instrumentation_includes='dev.kiln.formats.**:org.apache.commons.compress.archivers.tar.**' \
    --keep_going=0 --reproducer_path="$out/findings" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 -max_len=262144 \
    -artifact_prefix="$out/findings/$t-" -print_final_stats=1 \
    "$corpus" "$seeds/$t" >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^#[0-9]+ *DONE|^stat::number_of_executed_units|^stat::new_units_added' "$log" \
    | sed "s/^/fuzz: $t: /" || true
  if [ $rc -ne 0 ]; then
    echo "fuzz: $t found a problem (exit $rc); the input is in $out/findings:" >&2
    grep -E '== Java Exception|Exception|Error' "$log" | head -5 >&2 || true
    status=1
  fi
done
exit $status
