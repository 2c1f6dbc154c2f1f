# Shared shell helpers of the integration tests: a hub process on a free loopback port, checks
# that count, and cleanup. Sourced by the tests; HUB_BIN, CTL and SRC set by the caller.

ZC_PASSED=0
ZC_FAILED=0

# ok DESCRIPTION COMMAND...: runs the command, counts and reports the result.
ok() {
    what=$1
    shift
    if "$@"; then
        ZC_PASSED=$((ZC_PASSED + 1))
    else
        ZC_FAILED=$((ZC_FAILED + 1))
        echo "FAIL: $what" >&2
    fi
}

# same DESCRIPTION FILE1 FILE2: the two files hold identical bytes.
same() {
    if cmp -s "$2" "$3"; then
        ZC_PASSED=$((ZC_PASSED + 1))
    else
        ZC_FAILED=$((ZC_FAILED + 1))
        echo "FAIL: $1 differ:" >&2
        echo "  $(cat "$2")" >&2
        echo "  $(cat "$3")" >&2
    fi
}

# db_url BACKEND TAG: a fresh database URL (sqlite file in $WORK, or a new PostgreSQL database).
db_url() {
    case $1 in
    sqlite) echo "sqlite:$WORK/$2.db" ;;
    postgres)
        base=$(cat "$ZC_TEST_PG_DIR/url")
        psql -q -d "$base" -c "DROP DATABASE IF EXISTS \"$2\"" -c "CREATE DATABASE \"$2\"" >/dev/null
        echo "$base" | sed -E "s#^(postgres(ql)?://[^/]*/)[^?]*#\\1$2#"
        ;;
    esac
}

# hub_start NAME DB_URL: starts zhucan-hub in the background on a free port; sets NAME_PID and
# NAME_URL. The hub prints the address it listens on, which is read back here.
hub_start() {
    log="$WORK/$1.log"
    "$HUB_BIN" --db "$2" --listen 127.0.0.1:0 >"$log" 2>&1 &
    pid=$!
    i=0
    url=""
    while [ $i -lt 100 ]; do
        url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    if [ -z "$url" ]; then
        echo "hub $1 did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    eval "$1_PID=$pid"
    eval "$1_URL=$url"
}

# hub_stop NAME [SIGNAL]
hub_stop() {
    eval "pid=\$$1_PID"
    kill "-${2:-TERM}" "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

finish() {
    echo "$(basename "$0"): $ZC_PASSED passed, $ZC_FAILED failed"
    [ "$ZC_FAILED" -eq 0 ]
}
