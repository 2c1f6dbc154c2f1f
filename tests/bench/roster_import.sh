#!/bin/sh
# Roster import at scale: our zc_roster_import_csv against sqlite3's own CSV import of the same
# file, in the same run, with the same durability pragmas; then lookup latency at that size.
#
#   tests/bench/roster_import.sh BUILD_DIR [ROWS]     (ROWS defaults to 1000000)
#
# sqlite3 only appends to a plain table; we also validate every row, hash ID numbers, tokens and
# UIDs, and maintain three unique indexes. The ratio says what that costs.
set -eu

build=${1:?usage: roster_import.sh BUILD_DIR [ROWS]}
rows=${2:-1000000}
bench=$build/tests/bench/bench_roster
[ -x "$bench" ] || { echo "no $bench: build with -DZC_BENCH=ON" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 not found" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/zc-roster-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

now() { date +%s.%N; }

"$bench" gen "$work/roster.csv" "$rows"
echo "csv_bytes $(wc -c <"$work/roster.csv")"

ours=$("$bench" import "$work/roster.csv")
echo "$ours"
ours_s=$(echo "$ours" | awk '$1 == "import_seconds" { print $2 }')

start=$(now)
sqlite3 "$work/plain.db" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE roster(id_number TEXT, name TEXT, birth_date TEXT, region TEXT, categories TEXT,
                    status TEXT, qr_token TEXT, card_uid TEXT);
.import --csv --skip 1 $work/roster.csv roster
SQL
end=$(now)
sqlite_rows=$(sqlite3 "$work/plain.db" "SELECT count(*) FROM roster")
[ "$sqlite_rows" -eq "$rows" ] || { echo "sqlite3 imported $sqlite_rows rows" >&2; exit 1; }

awk -v ours="$ours_s" -v start="$start" -v end="$end" -v rows="$rows" 'BEGIN {
    theirs = end - start
    printf "sqlite3_import_seconds %.3f\nsqlite3_rows_per_second %.0f\n", theirs, rows / theirs
    printf "ratio_ours_to_sqlite3 %.2f\n", ours / theirs
}'
echo "db_bytes $(wc -c <"$work/bench_roster.db") (sqlite3 plain table: $(wc -c <"$work/plain.db"))"

"$bench" lookup "$work/bench_roster.db" "$rows"
