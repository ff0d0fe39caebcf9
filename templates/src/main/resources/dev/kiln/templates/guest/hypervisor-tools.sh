#!/bin/sh
# Kiln: installs the guest tools of the hypervisors the build's outputs target. KILN_TOOLS
# holds the package names (from Kiln's catalog); packages.sh is sourced first.
set -eu
: "${KILN_FAMILY:?apt, dnf or zypper}"
# shellcheck disable=SC2086 # KILN_TOOLS is a list of package names
[ -z "${KILN_TOOLS:-}" ] || kiln_pkg_install $KILN_TOOLS
for unit in qemu-guest-agent open-vm-tools vmtoolsd xe-linux-distribution \
  hv-kvp-daemon hypervkvpd; do
  if systemctl list-unit-files "$unit.service" >/dev/null 2>&1; then
    systemctl enable "$unit.service" >/dev/null 2>&1 || true
  fi
done
echo "kiln: hypervisor tools: ${KILN_TOOLS:-none}"
