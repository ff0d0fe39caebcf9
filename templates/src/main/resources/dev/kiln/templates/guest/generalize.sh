#!/bin/sh
# Kiln: generalizes the guest so every VM deployed from the template comes up as a new
# machine. Each operation is independent, idempotent and selected by name:
#   generalize.sh OPERATION...    run operations
#   generalize.sh --check OPERATION...   report what survived (read-only), exit 1 if anything
# KILN_FAMILY (apt, dnf, zypper) selects the package cache; packages.sh is sourced first.
# KILN_ROOT_PASSWORD is lock (default), expire or keep; KILN_BUILD_KEY is the build's public key;
# KILN_BUILD_USER the account the build logged in with (removed by build-user).
# Operations are the functions op_NAME and check_NAME, called by name ("op_$fn" at the end),
# which shellcheck cannot follow; without this it reports each of their lines as unreachable.
# shellcheck disable=SC2317
set -u
: "${KILN_FAMILY:?apt, dnf or zypper}"
: "${KILN_ROOT_PASSWORD:=lock}"
survivors=0
survived() { echo "kiln-generalize: survived: $*"; survivors=$((survivors + 1)); }

op_machine_id() {
  # truncate, never delete: systemd expects the file and regenerates an empty one at boot
  : > /etc/machine-id
  rm -f /var/lib/dbus/machine-id
  [ -e /var/lib/dbus ] && ln -sf /etc/machine-id /var/lib/dbus/machine-id
  return 0
}
check_machine_id() { [ ! -s /etc/machine-id ] || survived "machine-id $(cat /etc/machine-id)"; }

op_ssh_host_keys() { rm -f /etc/ssh/ssh_host_*; }
check_ssh_host_keys() {
  for k in /etc/ssh/ssh_host_*; do [ -e "$k" ] && survived "ssh host key $k"; done
  return 0
}

lease_files() {
  ls -d /var/lib/dhcp/*.leases /var/lib/dhclient/*.lease* /var/lib/NetworkManager/*.lease \
    /var/lib/systemd/network/* /var/lib/wicked/lease-* 2>/dev/null
}
op_dhcp_leases() { lease_files | xargs -r rm -rf; }
check_dhcp_leases() { for f in $(lease_files); do survived "dhcp lease $f"; done; return 0; }

op_udev_persistent_net() {
  rm -f /etc/udev/rules.d/70-persistent-net.rules /etc/udev/rules.d/75-persistent-net-generator.rules
}
check_udev_persistent_net() {
  [ ! -e /etc/udev/rules.d/70-persistent-net.rules ] || survived "udev persistent-net rules"
}

nm_files() { ls /etc/NetworkManager/system-connections/* 2>/dev/null; }
op_network_manager() {
  # connections carry the build VM's MAC and a UUID; cloud-init or NM make new ones at boot
  nm_files | xargs -r rm -f
  for f in /etc/sysconfig/network-scripts/ifcfg-*; do
    [ -e "$f" ] || continue
    [ "$f" = /etc/sysconfig/network-scripts/ifcfg-lo ] && continue
    sed -i -e '/^HWADDR=/d' -e '/^UUID=/d' "$f"
  done
}
check_network_manager() {
  for f in $(nm_files); do survived "NetworkManager connection $f"; done
  grep -ls '^HWADDR=\|^UUID=' /etc/sysconfig/network-scripts/ifcfg-* 2>/dev/null \
    | grep -v ifcfg-lo | while read -r f; do survived "MAC or UUID in $f"; done
  return 0
}

op_logs() {
  # journald keeps writing to its open (now unlinked) files until power-off; the template
  # gets an empty journal directory
  journalctl --rotate >/dev/null 2>&1 || true
  find /var/log -path /var/log/journal -prune -o -type f \( -name '*.gz' -o -name '*.[0-9]' \
    -o -name '*.old' \) -exec rm -f {} +
  # journal files are mapped by journald: unlink them, never truncate them under it
  find /var/log -path /var/log/journal -prune -o -type f -exec truncate -s 0 {} +
  rm -rf /var/log/journal/*
}
check_logs() {
  find /var/log -path /var/log/journal -prune -o -type f -size +0 -print \
    | while read -r f; do survived "log $f not empty"; done
  find /var/log/journal -type f 2>/dev/null | while read -r f; do survived "journal $f"; done
  return 0
}

op_shell_history() {
  rm -f /root/.bash_history /root/.lesshst /root/.viminfo /root/.python_history
  for h in /home/*; do
    rm -f "$h/.bash_history" "$h/.lesshst" "$h/.viminfo" "$h/.python_history"
  done
}
check_shell_history() {
  for f in /root/.bash_history /home/*/.bash_history; do
    [ -e "$f" ] && survived "history $f"
  done
  return 0
}

op_tmp_files() {
  # Kiln's own scripts run from /run/kiln, which this leaves alone
  find /tmp /var/tmp -mindepth 1 -delete 2>/dev/null || true
}
check_tmp_files() {
  n=$(find /tmp /var/tmp -mindepth 1 2>/dev/null | wc -l)
  [ "$n" -eq 0 ] || survived "$n files in /tmp or /var/tmp"
}

op_package_cache() { kiln_pkg_clean; }
check_package_cache() {
  case "$KILN_FAMILY" in
    apt) n=$(find /var/cache/apt/archives -name '*.deb' 2>/dev/null | wc -l) ;;
    dnf) n=$(find /var/cache/dnf -name '*.rpm' 2>/dev/null | wc -l) ;;
    zypper) n=$(find /var/cache/zypp/packages -name '*.rpm' 2>/dev/null | wc -l) ;;
  esac
  [ "$n" -eq 0 ] || survived "$n cached packages"
}

op_cloud_init_state() {
  if command -v cloud-init >/dev/null 2>&1; then
    cloud-init clean --logs >/dev/null 2>&1 || rm -rf /var/lib/cloud/*
  fi
  rm -rf /var/lib/cloud/instances /var/lib/cloud/instance
}
check_cloud_init_state() {
  [ ! -e /var/lib/cloud/instance ] || survived "cloud-init instance state"
  [ ! -e /var/log/cloud-init.log ] || [ ! -s /var/log/cloud-init.log ] \
    || survived "cloud-init log"
}

op_random_seed() { rm -f /var/lib/systemd/random-seed /var/lib/random-seed; }
check_random_seed() {
  for f in /var/lib/systemd/random-seed /var/lib/random-seed; do
    [ -e "$f" ] && survived "random seed $f"
  done
  return 0
}

op_root_password() {
  case "$KILN_ROOT_PASSWORD" in
    expire) passwd -e root >/dev/null ;;
    keep) ;;
    *) passwd -l root >/dev/null ;;
  esac
}
check_root_password() {
  status=$(passwd -S root 2>/dev/null | awk '{print $2}')
  case "$KILN_ROOT_PASSWORD:$status" in
    keep:*|lock:L|lock:LK|lock:NP) ;;
    expire:*) [ "$(chage -l root | awk -F': ' '/^Last password change/ {print $2}')" = \
      "password must be changed" ] || survived "root password not expired" ;;
    *) survived "root password not locked ($status)" ;;
  esac
}

key_files() { ls /root/.ssh/authorized_keys /home/*/.ssh/authorized_keys 2>/dev/null; }
op_build_key() {
  [ -n "${KILN_BUILD_KEY:-}" ] || return 0
  for f in $(key_files); do
    grep -vxF "$KILN_BUILD_KEY" "$f" > "$f.kiln" || true
    cat "$f.kiln" > "$f" && rm -f "$f.kiln"
  done
}
check_build_key() {
  [ -n "${KILN_BUILD_KEY:-}" ] || return 0
  for f in $(key_files); do grep -qxF "$KILN_BUILD_KEY" "$f" && survived "build key in $f"; done
  return 0
}

# the name goes into patterns and paths: a plain login name only
case "${KILN_BUILD_USER:-}" in
  *[!a-z0-9_-]*|-*) echo "kiln-generalize: bad build user name" >&2; exit 2 ;;
esac
build_user_sudoers() {
  grep -lE "^${KILN_BUILD_USER}[[:space:]]" /etc/sudoers.d/* 2>/dev/null
}
op_build_user() {
  [ -n "${KILN_BUILD_USER:-}" ] || return 0
  # cloud-init's sudoers file (90-cloud-init-users) or the installer's: drop the user's rules,
  # and the file when nothing but comments is left
  for f in $(build_user_sudoers); do
    grep -vE "^${KILN_BUILD_USER}[[:space:]]|^# User rules for ${KILN_BUILD_USER}\$" "$f" \
      > "$f.kiln" || true
    if grep -qvE '^[[:space:]]*(#|$)' "$f.kiln"; then cat "$f.kiln" > "$f"; else rm -f "$f"; fi
    rm -f "$f.kiln"
  done
  if getent passwd "$KILN_BUILD_USER" >/dev/null; then
    # -f: the build's own SSH session still runs as this user; -r: home and mail spool too
    userdel -f -r "$KILN_BUILD_USER" >/dev/null 2>&1 || userdel -f "$KILN_BUILD_USER"
  fi
  rm -rf "/home/${KILN_BUILD_USER:?}" "/var/mail/${KILN_BUILD_USER:?}" \
    "/var/spool/mail/${KILN_BUILD_USER:?}"
  if getent group "$KILN_BUILD_USER" >/dev/null; then groupdel "$KILN_BUILD_USER" 2>/dev/null; fi
  return 0
}
check_build_user() {
  [ -n "${KILN_BUILD_USER:-}" ] || return 0
  getent passwd "$KILN_BUILD_USER" >/dev/null && survived "build user $KILN_BUILD_USER"
  [ -e "/home/$KILN_BUILD_USER" ] && survived "home of the build user /home/$KILN_BUILD_USER"
  for f in $(build_user_sudoers); do survived "sudo rule for $KILN_BUILD_USER in $f"; done
  grep -qE "^${KILN_BUILD_USER}[[:space:]]" /etc/sudoers 2>/dev/null \
    && survived "sudo rule for $KILN_BUILD_USER in /etc/sudoers"
  return 0
}

op_trim_free_space() {
  # Free blocks read as zeros afterwards, so nothing deleted before (host keys, logs, the build
  # user) survives in them, and the image compresses and converts sparse. fstrim alone is not
  # enough: a discard covering only part of a qcow2 cluster (64 KiB) or of the device's discard
  # granularity is dropped, so a small deleted file (a 4 KiB host key) in a cluster shared with
  # live data keeps its bytes. So every free block of each local filesystem is overwritten with
  # zeros (root may use the reserved blocks too), then trimmed. The syncs first: ext4 neither
  # reuses nor trims blocks freed in a transaction that is not yet committed.
  # ext4 also keeps reserved clusters (up to 16 MiB) that no data write may use: set to 0 for
  # the fill, so the last free blocks are zeroed too.
  sync
  findmnt -rn -t ext2,ext3,ext4,xfs,btrfs -o TARGET,SOURCE | while read -r mnt source; do
    resv="/sys/fs/ext4/$(basename "$(readlink -f "$source")")/reserved_clusters"
    saved=""
    if [ -w "$resv" ]; then
      saved=$(cat "$resv")
      echo 0 > "$resv" || saved=""
    fi
    # direct I/O: blocks are allocated as dd writes, so ENOSPC ends dd, not a later writeback
    dd if=/dev/zero of="$mnt/.kiln-zero" bs=1M oflag=direct 2>/dev/null || true
    dd if=/dev/zero of="$mnt/.kiln-zero-tail" bs=4k oflag=direct 2>/dev/null || true
    sync
    rm -f "$mnt/.kiln-zero" "$mnt/.kiln-zero-tail"
    [ -z "$saved" ] || echo "$saved" > "$resv"
  done
  sync
  fstrim -av >/dev/null 2>&1 || true
  sync
}
check_trim_free_space() { return 0; }

mode=run
if [ "${1:-}" = --check ]; then mode=check; shift; fi
for op in "$@"; do
  fn=$(echo "$op" | tr '-' '_')
  case "$fn" in
    machine_id|ssh_host_keys|dhcp_leases|udev_persistent_net|network_manager|logs|\
    shell_history|tmp_files|package_cache|cloud_init_state|random_seed|root_password|\
    build_key|build_user|trim_free_space) ;;
    *) echo "kiln-generalize: unknown operation $op" >&2; exit 2 ;;
  esac
  if [ "$mode" = run ]; then "op_$fn" || { echo "kiln-generalize: $op failed" >&2; exit 1; }
  else "check_$fn"; fi
done
if [ "$mode" = check ] && [ "$survivors" -gt 0 ]; then exit 1; fi
exit 0
