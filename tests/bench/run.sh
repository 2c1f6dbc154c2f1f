#!/bin/sh
# Runs every benchmark against a Release build and prints the figures BENCHMARKS.md records.
# usage: tests/bench/run.sh [ROSTER_ROWS]   (after packaging/install-deps.sh)
set -eu
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" --target bench_ledger bench_roster bench_sell
work=$(mktemp -d build/bench.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

echo "== durable sale append vs bare SQLite insert (same pragmas, same disk)"
build/release/tests/bench/bench_ledger "$work" 300 7
echo "== quotes per second; a whole sale vs bare SQLite insert"
mkdir -p "$work/sell"
build/release/tests/bench/bench_sell . "$work/sell" 200 5
echo "== roster import of $rows rows vs sqlite3 .import; lookups at that size"
sh tests/bench/roster_import.sh build/release "$rows"
echo "== hub and sync (issue 6): ingest, 1000 kiosks at once, roster sync of $rows elders; both backends"
cmake --build --preset release -j "$(nproc 2>/dev/null || echo 2)" \
    --target bench_hub_ingest bench_hub_kiosks bench_roster_sync
sh tests/bench/hub_bench.sh build/release/tests/bench 5000 1000 "$rows"
