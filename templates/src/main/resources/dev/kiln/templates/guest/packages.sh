#!/bin/sh
# Kiln: package-manager helpers shared by the guest scripts. Sourced; KILN_FAMILY is apt, dnf
# or zypper.
# One refresh per boot and half hour serves every guest script: the recipe's packages step and
# the script before this one fetched the same indexes minutes ago (each fetch took 15 s under
# TCG). /run is emptied by a reboot.
KILN_PKG_REFRESHED=/run/kiln-pkg-refreshed

kiln_pkg_refresh() {
  if [ -n "$(find "$KILN_PKG_REFRESHED" -mmin -30 2>/dev/null)" ]; then
    return 0
  fi
  case "$KILN_FAMILY" in
    apt) DEBIAN_FRONTEND=noninteractive apt-get update -q ;;
    dnf) dnf -q -y makecache ;;
    zypper) zypper --non-interactive --quiet refresh ;;
  esac && touch "$KILN_PKG_REFRESHED"
}

kiln_pkg_install() {
  case "$KILN_FAMILY" in
    apt) DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" ;;
    dnf) dnf -q -y install "$@" ;;
    zypper) zypper --non-interactive --quiet install --no-recommends "$@" ;;
  esac
}

kiln_pkg_upgrade() {
  case "$KILN_FAMILY" in
    apt) DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confold \
      dist-upgrade ;;
    dnf) dnf -q -y upgrade ;;
    zypper) zypper --non-interactive --quiet update ;;
  esac
}

kiln_pkg_clean() {
  case "$KILN_FAMILY" in
    apt) apt-get clean; rm -rf /var/lib/apt/lists/* ;;
    dnf) dnf -q clean all; rm -rf /var/cache/dnf/* ;;
    zypper) zypper --non-interactive clean --all ;;
  esac
}

kiln_pkg_remove() {
  case "$KILN_FAMILY" in
    apt) DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$@" && apt-get clean ;;
    dnf) dnf -q -y remove --noautoremove "$@" ;;
    zypper) zypper --non-interactive --quiet remove --clean-deps "$@" ;;
  esac
}

# every installed package's name, one per line, sorted
kiln_pkg_names() {
  case "$KILN_FAMILY" in
    apt) dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 ~ /^.i/ {print $2}' ;;
    *) rpm -qa --qf '%{NAME}\n' ;;
  esac | LC_ALL=C sort -u
}
