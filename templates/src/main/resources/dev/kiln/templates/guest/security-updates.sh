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

# installed packages whose candidate comes from a -security suite, as "name candidate
# installed" ("name/suite[,suite] version arch [upgradable from: old]")
pending() {
  apt list --upgradable 2>/dev/null \
    | awk -F'[/ ]' '$2 ~ /-security/ {sub(/]$/, "", $NF); print $1, $3, $NF}'
}

if [ "$mode" = apply ]; then
  names=$(pending | awk '{print $1}')
  if [ -n "$names" ]; then
    # shellcheck disable=SC2086 # one word per package
    apt-get install -y -q -o Dpkg::Options::=--force-confold --only-upgrade $names
  fi
fi

rm -rf "$WORK"
mkdir -p "$WORK"
# apt-get download drops root for the _apt user, which must be able to write here
chown _apt "$WORK" 2>/dev/null || chmod 777 "$WORK"
pending > "$WORK/pending.txt"
: > "$WORK/pending.tsv"
if [ -s "$WORK/pending.txt" ]; then
  # one call each for every package (an apt or dpkg start costs seconds under emulation):
  # source package and version, then each fixed .deb's size
  # shellcheck disable=SC2046 # one word per package
  dpkg-query -W -f='${Package}\t${source:Package}\t${source:Version}\n' \
    $(awk '{print $1}' "$WORK/pending.txt") > "$WORK/sources.tsv"
  # shellcheck disable=SC2046 # one word per package
  apt-get download --print-uris $(awk '{print $1 "=" $2}' "$WORK/pending.txt") 2>/dev/null \
    | awk '{f = $2; sub(/_.*/, "", f); print f "\t" $3}' > "$WORK/sizes.tsv"
  awk -F'\t' -v OFS='\t' '
    FILENAME ~ /sources/ {src[$1] = $2; srcver[$1] = $3; next}
    FILENAME ~ /sizes/ {size[$1] = $2; next}
    {split($0, f, " "); print f[1], f[3], f[2], src[f[1]], srcver[f[1]], size[f[1]] + 0}
  ' "$WORK/sources.tsv" "$WORK/sizes.tsv" "$WORK/pending.txt" > "$WORK/pending.tsv"
fi

# the CVE ids of one source package: from the changelog of its smallest pending binary
# (downloaded with the others in one call), the entries above the installed source version
cves() { # binary "source (source-version)"
  rm -f "$WORK/changelog"
  for deb in "$WORK/debs/$1"_*.deb; do
    [ -f "$deb" ] || continue
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
  if ! grep -q "^$(printf '%s' "$2" | sed 's/[][\.*^$]/\\&/g')" "$WORK/changelog" 2>/dev/null; then
    echo '?'
    return
  fi
  awk -v stop="$2" 'index($0, stop) == 1 {exit} {print}' "$WORK/changelog" \
    | grep -o 'CVE-[0-9]\{4\}-[0-9]\{4,\}' | sort -u | paste -sd, -
}

tab="$(printf '\t')"
sort -t "$tab" -k4,4 -k6,6n "$WORK/pending.tsv" > "$WORK/by-source.tsv"
mkdir -p "$WORK/debs"
chown _apt "$WORK/debs" 2>/dev/null || chmod 777 "$WORK/debs"
smallest=$(awk -F'\t' '!seen[$4]++ {print $1 "=" $3}' "$WORK/by-source.tsv")
if [ -n "$smallest" ]; then
  # shellcheck disable=SC2086 # one word per package
  (cd "$WORK/debs" && apt-get download -q $smallest </dev/null >/dev/null 2>&1) || true
fi

: > "$OUT.partial"
last=""
ids=""
while IFS="$tab" read -r name installed fixed source sourceversion _; do
  if [ "$source" != "$last" ]; then
    ids=$(cves "$name" "$source ($sourceversion)")
    last="$source"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$installed" "$fixed" "$source" "$ids" >> "$OUT.partial"
done < "$WORK/by-source.tsv"
mv "$OUT.partial" "$OUT"
rm -rf "$WORK"
