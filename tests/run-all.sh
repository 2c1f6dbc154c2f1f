#!/bin/sh
# Builds zhucan four ways and runs every test: gcc Debug (unit, command line, fault), gcc Release
# (build only), clang with AddressSanitizer + UndefinedBehaviorSanitizer (the same tests again),
# and the libFuzzer targets for a short run each. Also checks the code's form with clang-format. Exits non-zero on any failure.
# usage: tests/run-all.sh   (after packaging/install-deps.sh)
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
passed=0
failed=0

# Runs ctest with the given arguments and adds its counts to the totals.
run_ctest() {
    status=0
    ctest "$@" 2>&1 | tee "$LOG" || status=1
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$LOG" | tail -n 1)
    if [ -z "$line" ]; then
        echo "run-all: ctest $* ran no test" >&2
        failed=$((failed + 1))
        return
    fi
    n_failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
    n_total=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
    passed=$((passed + n_total - n_failed))
    failed=$((failed + n_failed))
    [ "$status" -eq 0 ] || [ "$n_failed" -gt 0 ] || failed=$((failed + 1))
}

echo "== gcc Debug"
cmake --preset debug >/dev/null
cmake --build --preset debug -j "$JOBS"
run_ctest --preset debug -j "$JOBS"

echo "== gcc Release (optimised builds warn about other things; the benchmarks build here)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS"

echo "== clang ASan + UBSan"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$JOBS"
run_ctest --preset asan -j "$JOBS"

echo "== libFuzzer targets"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$JOBS" --target fuzzers
run_ctest --preset fuzz -L fuzz -j "$JOBS"

echo "== clang-format"
unformatted=$(git ls-files '*.c' '*.h' | xargs clang-format --dry-run 2>&1 | grep -c 'warning:' || true)
if [ "$unformatted" -eq 0 ]; then
    passed=$((passed + 1))
else
    echo "clang-format: $unformatted places differ from .clang-format (run clang-format -i)"
    failed=$((failed + 1))
fi

echo "run-all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
