#!/bin/sh
# The hub and sync benchmarks (issue 6) on both hub backends: bench_hub_ingest, bench_hub_kiosks
# and bench_roster_sync against SQLite, then against PostgreSQL.
#
#   tests/bench/hub_bench.sh [--smoke] [--only BENCH] BENCH_BIN_DIR [SALES [KIOSKS [ROSTER_ROWS]]]
#
# BENCH_BIN_DIR holds the benchmark programs (build/release/tests/bench). Defaults: 5000 sales
# each way, 1000 kiosks, a 1,000,000-elder roster; --smoke runs tiny sizes (the ctest tests
# bench.*). PostgreSQL: the tests' throwaway server when $ZC_TEST_PG_DIR/url exists (ctest's
# fixture, left as it is), else one started here (tests/support/pgtest.sh) and stopped at the end,
# with fsync and synchronous commit switched back on so that both backends are measured durable,
# as SQLite is (synchronous=FULL).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
usage() {
    echo "usage: hub_bench.sh [--smoke] [--only BENCH] BENCH_BIN_DIR [SALES [KIOSKS [ROSTER_ROWS]]]" >&2
    exit 2
}

smoke=0
only=
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) smoke=1; shift ;;
    --only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
    -*) usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
bin=$1
if [ "$smoke" = 1 ]; then
    sales=${2:-600} kiosks=${3:-20} per_kiosk=5 rows=${4:-3000} changed=100
else
    sales=${2:-5000} kiosks=${3:-1000} per_kiosk=20 rows=${4:-1000000} changed=1000
fi
case "$only" in
"" | bench_hub_ingest | bench_hub_kiosks | bench_roster_sync) ;;
*) echo "hub_bench.sh: --only: no benchmark \"$only\"" >&2; exit 2 ;;
esac
for b in bench_hub_ingest bench_hub_kiosks bench_roster_sync; do
    [ -x "$bin/$b" ] || { echo "hub_bench.sh: no $bin/$b: build with -DZC_BENCH=ON" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/zc-hub-bench.XXXXXX")
pgdir=
cleanup() {
    if [ -n "$pgdir" ]; then
        sh "$here/../support/pgtest.sh" stop "$pgdir" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ -n "${ZC_TEST_PG_DIR:-}" ] && [ -s "$ZC_TEST_PG_DIR/url" ]; then
    pg_url=$(cat "$ZC_TEST_PG_DIR/url")
else
    pgdir=$work/pg
    sh "$here/../support/pgtest.sh" start "$pgdir"
    pg_url=$(cat "$pgdir/url")
    # pgtest.sh turns durability off for tests; a benchmark measures the server as deployed.
    psql -q -X -v ON_ERROR_STOP=1 -d "$pg_url" >/dev/null <<'SQL'
ALTER SYSTEM SET fsync = on;
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET full_page_writes = on;
SELECT pg_reload_conf();
SQL
    echo "PostgreSQL: $(psql -X -At -d "$pg_url" -c "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' || current_setting('synchronous_commit')")"
fi

want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

for db in sqlite "$pg_url"; do
    if want bench_hub_ingest; then
        echo "== hub ingest: $sales kiosk sales in batches of 500, zc_hub_push and HTTP vs bare INSERT"
        "$bin/bench_hub_ingest" "$work" "$db" "$sales"
    fi
    if want bench_hub_kiosks; then
        echo "== $kiosks kiosks at once over HTTP: enrol, push $per_kiosk sales, heartbeat, rules"
        "$bin/bench_hub_kiosks" "$work" "$db" "$kiosks" "$per_kiosk"
    fi
    if want bench_roster_sync; then
        echo "== roster: hub import of $rows elders, full kiosk sync, $changed changed, delta sync"
        "$bin/bench_roster_sync" "$work" "$db" "$rows" "$changed"
    fi
done
