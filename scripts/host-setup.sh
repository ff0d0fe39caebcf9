#!/usr/bin/env bash
# Installs what Kiln's builds and tests need on a Debian/Ubuntu host and starts the libvirt
# daemons (there is no systemd on the CI machines). Idempotent: when everything is present it
# only checks and returns in about a second.
set -euo pipefail

# Packages: the hypervisor stack, the JDK/Maven toolchain, and the independent validators
# that Kiln's tests judge its outputs with (see docs/testing.md).
PACKAGES=(
  openjdk-17-jdk-headless maven
  qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients
  7zip xorriso genisoimage libxml2-utils nasm bzip2 gzip xz-utils lbzip2 cpio
  isolinux syslinux-common python3-pycdlib debian-installer-12-netboot-amd64
  libvmdk-utils libvhdi-utils libqcow-utils
  mmdebstrap parted grub-common grub-pc-bin uuid-runtime e2fsprogs
  openssh-client openssh-server netcat-openbsd curl openssl dpkg-dev
  cloud-init shellcheck python3-jsonschema python3-yaml debconf sudo apt-cacher-ng kmod
  tmux fonts-dejavu-core
  prometheus prometheus-pushgateway postgresql protobuf-compiler gpgv debian-archive-keyring
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # Some test-only packages exist only on Debian (e.g. debian-installer-12-netboot-amd64 on
  # Ubuntu): install what this distribution has and name the rest.
  available=()
  for p in "${missing[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then
      available+=("$p")
    else
      echo "host-setup: warning: package $p is not available here; tests that need it will fail" >&2
    fi
  done
  if [ ${#available[@]} -gt 0 ]; then
    echo "host-setup: installing ${available[*]}" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${available[@]}" >/dev/null
  fi
fi

# udev is absent without systemd, so /dev/kvm keeps root-only permissions; give it to the kvm
# group as udev would. Otherwise QEMU (user libvirt-qemu) cannot open it and libvirt re-probes
# QEMU's capabilities on every domain start (about 50 s each here).
if [ -e /dev/kvm ] && getent group kvm >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  if [ "$(stat -c %G /dev/kvm)" != kvm ] || [ "$(stat -c %a /dev/kvm)" = 600 ]; then
    chgrp kvm /dev/kvm || true
    chmod 660 /dev/kvm || true
  fi
fi

# libvirt without systemd: start the daemons ourselves when they are not running.
start_daemon() {
  local name=$1
  if ! pgrep -x "$name" >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
      "$name" -d
    else
      sudo "$name" -d
    fi
  fi
}
# With systemd (a desktop or server), the packaged units already run the daemons.
if command -v libvirtd >/dev/null 2>&1 && [ ! -d /run/systemd/system ]; then
  start_daemon virtlogd
  start_daemon libvirtd
  for _ in $(seq 1 50); do
    virsh -c qemu:///system version >/dev/null 2>&1 && break
    sleep 0.2
  done
fi

# The GitHub Actions workflow validator the tests judge .github/workflows with (npm's
# registry; kept in a cache directory, pinned): installed once, then only checked.
tools=${KILN_TOOLS:-/var/tmp/kiln-tools}
if [ ! -x "$tools/node_modules/.bin/action-validator" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      nodejs npm >/dev/null
  fi
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent \
    @action-validator/cli@0.6.0 @action-validator/core@0.6.0 >/dev/null
fi
