#!/bin/sh
# Example hardening step of ubuntu-24.04-complete.yaml, run as root in the build machine:
# no password logins for root over SSH, no X11 forwarding, and kernel settings against
# spoofed packets and redirects.
set -eu
mkdir -p /etc/ssh/sshd_config.d
cat > /etc/ssh/sshd_config.d/60-hardening.conf <<'CONF'
PermitRootLogin prohibit-password
X11Forwarding no
MaxAuthTries 4
CONF
cat > /etc/sysctl.d/60-hardening.conf <<'CONF'
net.ipv4.conf.all.rp_filter = 1
net.ipv4.conf.all.accept_redirects = 0
net.ipv4.conf.all.send_redirects = 0
net.ipv6.conf.all.accept_redirects = 0
CONF
sysctl --system >/dev/null
