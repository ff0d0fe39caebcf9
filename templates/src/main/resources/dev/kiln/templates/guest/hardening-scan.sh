#!/bin/sh
# Kiln: an OpenSCAP hardening scan of this system. Installs the distribution's scanner (and,
# without content from the build, its SCAP Security Guide package), evaluates one XCCDF
# profile, then removes every package it installed, so the template ships without them.
# Arguments: the profile id, the data stream's file name, and optionally the content the build
# uploaded (a .deb or .rpm of the guide, or a data stream .xml).
# Writes /tmp/kiln-hardening/arf.xml (ARF results) and report.html; exit 0 when oscap ran
# (whatever the rules' results), 65 when the data stream is not in the content, 66 when oscap
# itself failed, 67 when the packages could not be installed.
set -eu
WORK=/tmp/kiln-hardening
profile="$1"
datastream="$2"
content="${3:-}"
export DEBIAN_FRONTEND=noninteractive

case "$KILN_FAMILY" in
  apt)
    scanner=openscap-scanner
    # shellcheck disable=SC1091 # the guest's own file
    guide=$(. /etc/os-release && case "$ID" in debian) echo ssg-debian ;; *) echo ssg-debderived ;; esac)
    ;;
  dnf) scanner=openscap-scanner guide=scap-security-guide ;;
  zypper) scanner=openscap-utils guide=scap-security-guide ;;
esac

rm -rf "$WORK"
mkdir -p "$WORK/content"
kiln_pkg_names > "$WORK/before.txt"

# set -e does not hold inside a function called with ||: each step says how it failed
status=0
scan() {
  kiln_pkg_refresh || true
  if [ -n "$content" ]; then
    packages="$scanner"
  else
    packages="$scanner $guide"
  fi
  # shellcheck disable=SC2086 # one word per package
  if ! kiln_pkg_install $packages >&2; then
    echo "kiln: could not install $packages from the distribution's repositories" >&2
    status=67
    return
  fi
  where=/usr/share/xml/scap
  if [ -n "$content" ]; then
    where="$WORK/content"
    case "$content" in
      *.deb) dpkg-deb -x "$content" "$where" ;;
      *.rpm) (cd "$where" && rpm2cpio "$content" | cpio -idm --quiet) ;;
      *) cp "$content" "$where/$datastream" ;;
    esac || { echo "kiln: could not unpack the SCAP content $content" >&2; status=65; return; }
  fi
  ds=$(find "$where" -type f -name "$datastream" | head -n 1)
  if [ -z "$ds" ]; then
    echo "kiln: the SCAP content has no data stream named $datastream; it has:" \
      "$(find "$where" -type f -name '*-ds.xml' -exec basename {} \; | sort | tr '\n' ' ')" >&2
    status=65
    return
  fi
  # 0: every rule passed, 2: some failed; anything else is the scanner's own failure. Remote
  # OVAL feeds (the distribution's CVE data) are not fetched: the vulnerability assessment
  # covers those through the package manager.
  rc=0
  oscap xccdf eval --profile "$profile" --results-arf "$WORK/arf.xml" \
    --report "$WORK/report.html" "$ds" > "$WORK/oscap.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
    tail -n 20 "$WORK/oscap.log" >&2
    status=66
  fi
}

scan
# whatever happened, the template keeps none of what the scan installed
kiln_pkg_names > "$WORK/after.txt"
added=$(LC_ALL=C comm -13 "$WORK/before.txt" "$WORK/after.txt")
if [ -n "$added" ]; then
  # shellcheck disable=SC2086 # one word per package
  kiln_pkg_remove $added
fi
rm -rf "$WORK/content"
chmod -R a+rX "$WORK"
exit "$status"
