#!/usr/bin/env bash
# What SQLite spends per stored event with one row per INSERT statement and with several, in
# instructions counted by callgrind (the same count on a busy or a quiet machine): the events
# table and id index as aw-server made them while each row held its data text, 50 transactions
# of 1,000 window events each, less a run of one transaction (opening, creating the tables), so
# the figure is the inserts' alone.
# Usage: scripts/bench/insert_statement_cost.sh [ROWS_PER_STATEMENT...]   (each dividing 1,000;
#   default: 1 8 20 40)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "insert_statement_cost.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 scripts/bench/insert_statement_cost.c -o "$work/insert" -lsqlite3
instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$work/insert" "$work/events.db" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1 8 20 40)
printf '%-20s %s\n' "rows per statement" "instructions per row"
for count in "${counts[@]}"; do
  all=$(instructions "$count" 50)
  setup=$(instructions "$count" 1)
  printf '%-20s %s\n' "$count" "$(((all - setup) / 49000))"
done
