#!/bin/sh
# Kiln: which installed packages have updates in the distribution's security suites, with the
# fixed version and the CVE ids that the fixed version's changelog names above the installed
# version. Argument: "report" (list only) or "apply" (upgrade those packages first, then list
# what is still pending). Writes /tmp/kiln-security.tsv, one line per package: name,
# installed version, fixed version, source package, CVE ids (comma-separated; "?" when the
# changelog could not be read down to the installed version).
# The guest's own package manager answers, through the build's package proxy: no vulnerability
# feed from the internet is needed. Only apt is implemented; other families exit 64.
set -eu
OUT=/tmp/kiln-security.tsv
WORK=/tmp/kiln-security
mode="${1:-report}"

if [ "$KILN_FAMILY" != apt ]; then
  echo "kiln: the security assessment is implemented for apt only" >&2
  exit 64
fi
export DEBIAN_FRONTEND=noninteractive
kiln_pkg_refresh

# names of installed packages whose candidate comes from a -security suite
# ("name/suite[,suite] version arch [upgradable from: old]")
pending() {
  apt list --upgradable 2>/dev/null | awk -F'[/ ]' '$2 ~ /-security/ {print $1}'
}

if [ "$mode" = apply ]; then
  names=$(pending)
  if [ -n "$names" ]; then
    # shellcheck disable=SC2086 # one word per package
    apt-get install -y -q -o Dpkg::Options::=--force-confold --only-upgrade $names
  fi
fi

rm -rf "$WORK"
mkdir -p "$WORK"
# apt-get download drops root for the _apt user, which must be able to write here
chown _apt "$WORK" 2>/dev/null || chmod 777 "$WORK"
: > "$WORK/pending.tsv"
for p in $(pending); do
  fixed=$(apt-cache policy "$p" | awk '$1 == "Candidate:" {print $2}')
  size=$(apt-get download --print-uris "$p=$fixed" 2>/dev/null | awk '{print $3; exit}')
  dpkg-query -W -f="\${Package}\t\${Version}\t$fixed\t\${source:Package}\t\${source:Version}\t${size:-0}\n" "$p" \
    >> "$WORK/pending.tsv"
done

# the CVE ids of one source package: from the changelog of its smallest pending binary, the
# entries above the installed source version
cves() { # binary fixed-version "source (source-version)"
  rm -f "$WORK"/*.deb "$WORK/changelog"
  (cd "$WORK" && apt-get download -q "$1=$2" </dev/null >/dev/null 2>&1) || { echo '?'; return; }
  for deb in "$WORK"/*.deb; do
    # a native package (apt, dpkg) has no changelog.Debian.gz: its changelog.gz is Debian's
    for name in changelog.Debian.gz changelog.gz; do
      dpkg-deb --fsys-tarfile "$deb" 2>/dev/null \
        | tar -xO --wildcards "./usr/share/doc/*/$name" 2>/dev/null \
        | gzip -dc > "$WORK/changelog" 2>/dev/null || true
      if [ -s "$WORK/changelog" ]; then
        break
      fi
    done
  done
  if ! grep -q "^$(printf '%s' "$3" | sed 's/[][\.*^$]/\\&/g')" "$WORK/changelog" 2>/dev/null; then
    echo '?'
    return
  fi
  awk -v stop="$3" 'index($0, stop) == 1 {exit} {print}' "$WORK/changelog" \
    | grep -o 'CVE-[0-9]\{4\}-[0-9]\{4,\}' | sort -u | paste -sd, -
}

: > "$OUT.partial"
sort -t "$(printf '\t')" -k4,4 -k6,6n "$WORK/pending.tsv" > "$WORK/by-source.tsv"
last=""
ids=""
while IFS="$(printf '\t')" read -r name installed fixed source sourceversion size; do
  if [ "$source" != "$last" ]; then
    ids=$(cves "$name" "$fixed" "$source ($sourceversion)")
    last="$source"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$installed" "$fixed" "$source" "$ids" >> "$OUT.partial"
done < "$WORK/by-source.tsv"
mv "$OUT.partial" "$OUT"
rm -rf "$WORK"
