#!/bin/sh
# Kiln: makes the guest a CloudStack template. With cloud-init (KILN_INTEGRATION=cloud-init):
# the ConfigDrive and CloudStack data sources, password and SSH-key modules on every boot (so
# CloudStack's password reset and key reset work), growpart/resizefs of the root filesystem.
# Without (KILN_INTEGRATION=password-service): CloudStack's classic cloud-set-guest-password
# service. Needs KILN_FAMILY (apt, dnf, zypper); packages.sh is sourced first.
set -eu
: "${KILN_FAMILY:?apt, dnf or zypper}"
: "${KILN_INTEGRATION:=cloud-init}"

growpart_package() {
  case "$KILN_FAMILY" in
    apt) echo cloud-guest-utils ;;
    dnf) echo cloud-utils-growpart ;;
    zypper) echo growpart ;;
  esac
}

# Host keys are removed when the template is generalized. Whatever provides instance data (or
# none), sshd makes new ones at first boot rather than failing to start.
for unit in ssh sshd; do
  if [ -e "/lib/systemd/system/$unit.service" ] || [ -e "/usr/lib/systemd/system/$unit.service" ]; then
    mkdir -p "/etc/systemd/system/$unit.service.d"
    printf '[Service]\nExecStartPre=-/usr/bin/ssh-keygen -A\n' \
      > "/etc/systemd/system/$unit.service.d/10-kiln-host-keys.conf"
  fi
done

if [ "$KILN_INTEGRATION" = cloud-init ]; then
  kiln_pkg_refresh || echo "kiln: warning: package lists could not be refreshed" >&2
  kiln_pkg_install cloud-init "$(growpart_package)"
  mkdir -p /etc/cloud/cloud.cfg.d
  cat > /etc/cloud/cloud.cfg.d/80-kiln-cloudstack.cfg <<'CFG'
# Written by Kiln: CloudStack data sources (config drive first, then the virtual router)
datasource_list: [ ConfigDrive, CloudStack, None ]
datasource:
  CloudStack:
    max_wait: 120
    timeout: 50
ssh_pwauth: true
disable_root: true
growpart:
  mode: auto
  devices: ['/']
resize_rootfs: true
CFG
  # ds-identify disables cloud-init when it recognizes no data source (e.g. CloudStack's
  # virtual router on hypervisors whose DMI does not say CloudStack): keep it enabled
  printf 'policy: search,found=all,maybe=all,notfound=enabled\n' > /etc/cloud/ds-identify.cfg
  # CloudStack resets passwords and keys by serving new ones at the next boot: the modules
  # that apply them must run on every boot, not once per instance (CloudStack's own guide)
  sed -i -e 's/^ - set-passwords$/ - [set-passwords, always]/' \
    -e 's/^ - set_passwords$/ - [set_passwords, always]/' \
    -e 's/^ - ssh$/ - [ssh, always]/' /etc/cloud/cloud.cfg
  grep -Eq '^ - \[set[-_]passwords, always\]$' /etc/cloud/cloud.cfg
  grep -Eq '^ - \[ssh, always\]$' /etc/cloud/cloud.cfg
  echo "kiln: cloud-init configured for CloudStack"
else
  kiln_pkg_install curl
  install -m 0755 /dev/stdin /usr/local/sbin/cloud-set-guest-password <<'PW'
#!/bin/sh
# CloudStack's password service client: asks the virtual router (the DHCP server) for a new
# password once per reset and acknowledges it.
set -u
router=$(ip -4 route show default | awk '{print $3; exit}')
for lease in /var/lib/dhcp/*.leases /var/lib/dhclient/*.lease* /var/lib/NetworkManager/*.lease; do
  [ -f "$lease" ] || continue
  found=$(awk -F'[ ;]+' '/dhcp-server-identifier/ {v=$4} END {print v}' "$lease")
  [ -n "$found" ] && router=$found
done
[ -n "$router" ] || exit 0
password=$(curl -fs --max-time 20 -H "DomU_Request: send_my_password" "http://$router:8080") \
  || exit 0
case "$password" in
  ""|saved_password|bad_request) exit 0 ;;
esac
user=$(awk -F: '$3 >= 1000 && $3 < 60000 {print $1; exit}' /etc/passwd)
[ -n "$user" ] || user=root
printf '%s:%s\n' "$user" "$password" | chpasswd
curl -fs --max-time 20 -H "DomU_Request: saved_password" "http://$router:8080" >/dev/null
PW
  cat > /etc/systemd/system/cloud-set-guest-password.service <<'UNIT'
[Unit]
Description=CloudStack password reset
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/cloud-set-guest-password

[Install]
WantedBy=multi-user.target
UNIT
  systemctl enable cloud-set-guest-password.service
  echo "kiln: cloud-set-guest-password service installed"
fi
