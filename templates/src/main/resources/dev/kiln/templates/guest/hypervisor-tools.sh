#!/bin/sh
# Kiln: installs the guest tools of the hypervisors the build's outputs target. KILN_TOOLS
# holds the package names (from Kiln's catalog); packages.sh is sourced first.
set -eu
: "${KILN_FAMILY:?apt, dnf or zypper}"
kiln_pkg_refresh || echo "kiln: warning: package lists could not be refreshed" >&2
# one at a time: a tool a distribution does not package is a warning, not a failed build
for pkg in ${KILN_TOOLS:-}; do
  kiln_pkg_install "$pkg" || echo "kiln: warning: $pkg could not be installed" >&2
done
for unit in qemu-guest-agent open-vm-tools vmtoolsd xe-linux-distribution \
  hv-kvp-daemon hypervkvpd; do
  if systemctl list-unit-files "$unit.service" >/dev/null 2>&1; then
    systemctl enable "$unit.service" >/dev/null 2>&1 || true
  fi
done
echo "kiln: hypervisor tools: ${KILN_TOOLS:-none}"
