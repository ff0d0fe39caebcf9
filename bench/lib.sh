# shellcheck shell=bash
# Shared by the bench scripts (sourced).

# command...: wall seconds until the command and a sync of its output finished
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  sync
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

# the median of the numbers on standard input, one a line
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
