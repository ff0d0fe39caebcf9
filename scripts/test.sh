#!/usr/bin/env bash
# Kiln's whole test suite, set-up included: host packages and libvirt daemons, then every
# module's tests (unit, validator and VM-tagged), then a smoke run of the ./kiln launcher.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/host-setup.sh

# Every shell script of the repository (scripts, guest scripts, the launcher), every severity.
mapfile -t scripts < <(git ls-files '*.sh' kiln .ci/run)
shellcheck "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"

# Fixed, quiet, colourless Maven output so CI logs stay readable.
mvn -B -ntp -Dstyle.color=never verify "$@"

# Coverage-guided fuzzing of every reader, bounded: 30 s per target on top of the regression
# run of seeds and past findings that `mvn verify` just did (scripts/fuzz.sh 1200 is nightly).
bash scripts/fuzz.sh 30

# The launcher a user types: built jar above, so this only starts Java.
./kiln --help >/dev/null
# the complete example takes its passwords from the environment, as a real build would
KILN_CLOUD_PASSWORD=example KILN_ROOT_PASSWORD=example ./kiln recipe validate examples/recipes/*.yaml
if ./kiln recipe validate examples/src/test/resources/invalid-recipes/two-sources.yaml 2>/dev/null; then
  echo "launcher smoke test: an invalid recipe was accepted" >&2
  exit 1
fi
echo "launcher smoke test: ok"

# Every VM test reaps its own domains and storage pools, even when it fails: prove it.
leftover=$(virsh -c qemu:///system list --all --name | grep '^kiln-' || true)
pools=$(virsh -c qemu:///system pool-list --all --name | grep '^kiln-' || true)
if [ -n "$leftover$pools" ]; then
  echo "tests left libvirt domains or pools behind: $leftover $pools" >&2
  exit 1
fi
echo "no Kiln domain or pool left: ok"

# The namespace test hosts (examples' NamespaceLab) remove their namespaces and daemons even
# when a test fails: prove it.
labs=$(ip netns list 2>/dev/null | grep -o '^kiln-lab-[^ ]*' || true)
if [ -n "$labs" ]; then
  echo "tests left network namespaces behind: $labs" >&2
  exit 1
fi
echo "no test namespace left: ok"
