#!/usr/bin/env bash
# Prepares a KVM machine as a Kiln build host (reached by `qemu+ssh://kiln@HOST/system`) or as
# a self-hosted GitHub Actions runner: libvirt and QEMU, a `kiln` user in the libvirt and kvm
# groups, an sshd that lets that user in with a key only, and the directories and storage pool
# Kiln uses (/var/lib/kiln/machines, the media cache pool `kiln-cache`). Idempotent: a second
# run changes nothing and says so. See docs/build-hosts.md for the security choices.
#
#   build-host-setup.sh [--user NAME] [--authorize PUBKEY_FILE] [--no-install]
#                       [--state-dir DIR --listen ADDR [--port N]]
#
# --authorize   a public key the Kiln machine logs in with (added once to the user's keys)
# --no-install  only check packages, install nothing (fails when one is missing)
# --state-dir   run a separate sshd for Kiln (its own config, host key and pid file in DIR,
#               listening on ADDR:PORT only) and start libvirt's daemons with their pid files
#               in DIR: the mode of a host without systemd, and of the tests' namespace hosts
set -euo pipefail

user=kiln
authorize=""
install=1
state=""
listen=""
port=22
while [ $# -gt 0 ]; do
  case "$1" in
    --user) user=$2; shift 2 ;;
    --authorize) authorize=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --state-dir) state=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-host-setup: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "build-host-setup: run as root (it creates a user and configures sshd and libvirt)" >&2
  exit 2
fi
if [ -n "$state" ] && [ -z "$listen" ]; then
  echo "build-host-setup: --state-dir needs --listen ADDR (the only address sshd listens on)" >&2
  exit 2
fi
changed=0
say() { echo "build-host-setup: $*"; changed=1; }

# 1. Packages: the hypervisor stack only; the Kiln machine itself needs none of them. OVMF
# (UEFI recipes) is installed when packages are, but not required by --no-install.
PACKAGES=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients openssh-server)
[ "$install" -eq 0 ] || PACKAGES+=(ovmf)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" -eq 0 ]; then
    echo "build-host-setup: missing packages: ${missing[*]} (run without --no-install)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  say "installed ${missing[*]}"
fi

# 2. The user Kiln logs in as: no password (key only), allowed to use libvirt's system socket
# (group libvirt) and /dev/kvm (group kvm), nothing else.
if ! id "$user" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash --user-group "$user"
  # no password that can be used ('*'), but not a locked account ('!'): sshd without PAM
  # refuses key logins to locked accounts
  usermod --password '*' "$user"
  say "created user $user (no password: key logins only)"
fi
for g in libvirt kvm; do
  if getent group "$g" >/dev/null && ! id -nG "$user" | tr ' ' '\n' | grep -qx "$g"; then
    usermod --append --groups "$g" "$user"
    say "added $user to group $g"
  fi
done
home=$(getent passwd "$user" | cut -d: -f6)
if [ -n "$authorize" ]; then
  install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
  keys="$home/.ssh/authorized_keys"
  touch "$keys"
  chown "$user:$user" "$keys"
  chmod 600 "$keys"
  key=$(cat "$authorize")
  if ! grep -qxF "$key" "$keys"; then
    echo "$key" >>"$keys"
    say "authorized $(echo "$key" | cut -d' ' -f1,3) for $user"
  fi
fi
# udev is absent without systemd: give /dev/kvm to the kvm group as udev would.
if [ -e /dev/kvm ] && [ "$(stat -c %G /dev/kvm)" != kvm ]; then
  chgrp kvm /dev/kvm && chmod 660 /dev/kvm
  say "gave /dev/kvm to group kvm"
fi

# 3. sshd. Kiln needs a shell (libvirt runs virt-ssh-helper) and local forwards to the host's
# loopback only (where QEMU forwards the build guest's SSH port); nothing else is allowed.
sshd_rules() {
  cat <<EOF
AllowUsers $user
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AllowTcpForwarding local
PermitOpen 127.0.0.1:*
AllowStreamLocalForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
ClientAliveInterval 15
EOF
}
mkdir -p /run/sshd
if [ -n "$state" ]; then
  mkdir -p "$state"
  if [ ! -f "$state/ssh_host_ed25519_key" ]; then
    ssh-keygen -q -t ed25519 -N "" -f "$state/ssh_host_ed25519_key"
    say "made host key $state/ssh_host_ed25519_key"
  fi
  config="$state/sshd_config"
  want=$( { echo "ListenAddress $listen"; echo "Port $port"
    echo "HostKey $state/ssh_host_ed25519_key"; echo "PidFile $state/sshd.pid"
    echo "UsePAM no"; sshd_rules; } )
  if [ ! -f "$config" ] || [ "$(cat "$config")" != "$want" ]; then
    echo "$want" >"$config"
    say "wrote $config"
  fi
  /usr/sbin/sshd -t -f "$config"
  if ! { [ -f "$state/sshd.pid" ] && kill -0 "$(cat "$state/sshd.pid")" 2>/dev/null; }; then
    /usr/sbin/sshd -f "$config" -E "$state/sshd.log"
    say "started sshd on $listen:$port"
  fi
else
  dropin=/etc/ssh/sshd_config.d/kiln.conf
  want=$( { echo "Match User $user"; sshd_rules | grep -v -e '^AllowUsers' -e '^PermitRootLogin' \
    -e '^PubkeyAuthentication' -e '^ClientAlive' -e '^PermitTunnel' | sed 's/^/  /'; } )
  if [ ! -f "$dropin" ] || [ "$(cat "$dropin")" != "$want" ]; then
    echo "$want" >"$dropin"
    /usr/sbin/sshd -t
    say "wrote $dropin"
    if [ -d /run/systemd/system ]; then
      systemctl reload ssh
    elif pgrep -x sshd >/dev/null; then
      pkill -HUP -x sshd
    fi
  fi
  if [ -d /run/systemd/system ]; then
    systemctl enable --now ssh >/dev/null 2>&1 || systemctl enable --now sshd >/dev/null
  elif ! pgrep -x sshd >/dev/null; then
    /usr/sbin/sshd
    say "started sshd"
  fi
fi

# 4. libvirt's daemons. The read-write socket is for group libvirt, without polkit (headless
# hosts have no D-Bus session for it): membership in libvirt is what lets Kiln in, and it is
# root-equivalent on this host (docs/build-hosts.md). systemd's units where there are some,
# else started here (pid files in the state directory, so a second host in another namespace
# does not collide with this one).
conf=/etc/libvirt/libvirtd.conf
restart=0
if ! grep -q '^# kiln: socket access by group' "$conf"; then
  printf '%s\n' '# kiln: socket access by group libvirt (scripts/build-host-setup.sh)' \
    'unix_sock_group = "libvirt"' 'unix_sock_rw_perms = "0770"' 'auth_unix_rw = "none"' >>"$conf"
  say "libvirtd: read-write socket for group libvirt ($conf)"
  restart=1
fi
if [ -d /run/systemd/system ] && [ -z "$state" ]; then
  systemctl enable --now libvirtd >/dev/null
  [ "$restart" -eq 0 ] || systemctl restart libvirtd
else
  for d in virtlogd libvirtd; do
    pidfile=${state:-/run}/$d.pid
    running=0
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && running=1
    if [ "$d" = libvirtd ] && [ "$running" -eq 1 ] && [ "$restart" -eq 1 ]; then
      kill "$(cat "$pidfile")"
      for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
      running=0
    fi
    if [ "$running" -eq 0 ]; then
      "$d" -d -p "$pidfile"
      say "started $d"
    fi
  done
fi
for _ in $(seq 1 100); do
  virsh -q -c qemu:///system version >/dev/null 2>&1 && break
  sleep 0.2
done

# 5. Kiln's directories and the media cache pool (content-addressed ISOs and cloud images,
# see docs/matrix.md): owned by root, used through libvirt only.
install -d -m 755 /var/lib/kiln /var/lib/kiln/machines /var/lib/kiln/cache
if ! virsh -q -c qemu:///system pool-info kiln-cache >/dev/null 2>&1; then
  virsh -q -c qemu:///system pool-define-as kiln-cache dir --target /var/lib/kiln/cache >/dev/null
  virsh -q -c qemu:///system pool-autostart kiln-cache >/dev/null
  say "defined storage pool kiln-cache at /var/lib/kiln/cache"
fi
if [ "$(virsh -q -c qemu:///system pool-info kiln-cache | awk '/^State:/ {print $2}')" \
  != running ]; then
  virsh -q -c qemu:///system pool-start kiln-cache >/dev/null
  say "started storage pool kiln-cache"
fi

# 6. Check as the user Kiln will be: libvirt answers through the system socket.
if ! su -s /bin/sh -c "virsh -q -c qemu:///system version" "$user" >/dev/null 2>&1; then
  echo "build-host-setup: $user cannot use qemu:///system (is the socket group libvirt?)" >&2
  exit 1
fi
[ "$changed" -eq 1 ] || echo "build-host-setup: nothing to change (user $user, libvirt, sshd ready)"
