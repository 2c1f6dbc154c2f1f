#!/bin/sh
# zhucan-hub as an administrator runs it: `zhucan-hub admin` commands print their result on
# stdout and exit 0, or exit 2 with one line on stderr naming what is wrong; the server starts on a
# free port, serves the console and refuses unsigned kiosk requests, and stops cleanly on SIGTERM.
# usage: zhucan_hub.sh ZHUCAN_HUB ZHUCANCTL SOURCE_DIR
set -u
HUB=$1
CTL=$2
SRC=$3
T=$(mktemp -d)
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
passed=0
failed=0
DB="sqlite:$T/hub.db"

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- COMMAND...: runs it (stdin from $T/in), keeps stdout and stderr.
expect() {
    want=$1; what=$2; shift 3
    "$@" <"$T/in" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        bad "$what: exit $got, wanted $want; stderr: $(cat "$T/err")"
        return 1
    fi
    if [ "$want" -ne 0 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then
        bad "$what: stderr should be exactly one line, was: $(cat "$T/err")"
        return 1
    fi
    ok
}
out_has() { grep -q -- "$1" "$T/out" && ok || bad "stdout lacks '$1': $(cat "$T/out")"; }
err_has() { grep -q -- "$1" "$T/err" && ok || bad "stderr lacks '$1': $(cat "$T/err")"; }
: >"$T/in"

# The administrator's round: canteen, user, enrolment code, rules, roster, menu, reports.
expect 0 "canteen add" -- "$HUB" admin --db "$DB" canteen add C0107 "Test canteen" --region 320202
out_has '"id":"C0107"'
echo "a long enough password" >"$T/in"
expect 0 "user add" -- "$HUB" admin --db "$DB" user add alice --role admin
out_has '"role":"admin"'
expect 0 "user add canteen manager" -- "$HUB" admin --db "$DB" user add mona --role canteen:C0107
: >"$T/in"
expect 0 "enrol-code" -- "$HUB" admin --db "$DB" enrol-code --canteen C0107
grep -Eq '^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$' "$T/out" && ok || bad "enrol code: $(cat "$T/out")"
expect 0 "rules publish" -- "$HUB" admin --db "$DB" rules publish "$SRC/assets/rules/default.json"
out_has '"version":'
out_has '"effective_from":"'
expect 0 "roster import" -- "$HUB" admin --db "$DB" roster import "$SRC/assets/demo/roster.csv"
out_has '"added":'
expect 0 "menu import" -- "$HUB" admin --db "$DB" menu import --canteen C0107 "$SRC/assets/demo/menu.csv"
out_has '"version":1'
expect 0 "report day json" -- "$HUB" admin --db "$DB" report day --canteen C0107 --date 2026-03-02 --format json
out_has '"date":"2026-03-02"'
out_has '"sales":0'
expect 0 "report day text" -- "$HUB" admin --db "$DB" report day --canteen C0107 --date 2026-03-02 --format text
out_has 'Day report 2026-03-02'
expect 0 "report day csv" -- "$HUB" admin --db "$DB" report day --canteen C0107 --date 2026-03-02 --format csv
out_has 'section,key,sales,voids,gross,subsidy,self_pay'
expect 0 "settlement" -- "$HUB" admin --db "$DB" settlement --month 2026-03
out_has '合计'
expect 0 "anomalies" -- "$HUB" admin --db "$DB" anomalies
out_has '"anomalies":\['

# Bad input: exit 2, one line on stderr naming it, nothing changed.
expect 2 "canteen add twice" -- "$HUB" admin --db "$DB" canteen add C0107 "Again"
expect 2 "user add without password" -- "$HUB" admin --db "$DB" user add bob --role viewer
expect 2 "user add bad role" -- "$HUB" admin --db "$DB" user add bob --role emperor
echo "short" >"$T/in"
expect 2 "user add short password" -- "$HUB" admin --db "$DB" user add bob --role viewer
: >"$T/in"
expect 2 "enrol-code unknown canteen" -- "$HUB" admin --db "$DB" enrol-code --canteen NOPE
expect 2 "enrol-code without canteen" -- "$HUB" admin --db "$DB" enrol-code
err_has '--canteen'
printf '{"schema":"zhucan.rules/1","version":"x"}' >"$T/bad.json"
expect 2 "rules publish bad rules" -- "$HUB" admin --db "$DB" rules publish "$T/bad.json"
err_has 'version'
expect 2 "rules publish same version again" -- "$HUB" admin --db "$DB" rules publish "$SRC/assets/rules/default.json"
expect 2 "rules publish missing file" -- "$HUB" admin --db "$DB" rules publish "$T/none.json"
printf 'id_number,name,birth_date,region,categories,status,qr_token,card_uid\n123,x,,320202,,active,,\n' >"$T/bad.csv"
expect 2 "roster import bad row" -- "$HUB" admin --db "$DB" roster import "$T/bad.csv"
err_has 'line 2'
expect 2 "report bad date" -- "$HUB" admin --db "$DB" report day --canteen C0107 --date 2026-02-30
err_has '--date'
expect 2 "report bad format" -- "$HUB" admin --db "$DB" report day --canteen C0107 --date 2026-03-02 --format xml
expect 2 "settlement bad month" -- "$HUB" admin --db "$DB" settlement --month 2026-13
expect 2 "unknown command" -- "$HUB" admin --db "$DB" launch rockets
expect 2 "no --db" -- "$HUB" admin canteen add C9 "x"
expect 2 "server without --listen" -- "$HUB" --db "$DB"
expect 2 "server with a bad --listen" -- "$HUB" --db "$DB" --listen nowhere
expect 0 "roster unchanged by the bad import" -- "$HUB" admin --db "$DB" roster import "$SRC/assets/demo/roster.csv"
out_has '"added":0'

# The server: a free port, the console, unsigned kiosk requests refused, SIGTERM stops it.
mkdir "$T/web"
echo '<!doctype html><title>zhucan console</title>' >"$T/web/index.html"
"$HUB" --db "$DB" --listen 127.0.0.1:0 --web "$T/web" 2>"$T/server.log" &
SERVER=$!
PORT=
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on http:.*(port \([0-9][0-9]*\)).*/\1/p' "$T/server.log")
    [ -n "$PORT" ] && break
    sleep 0.1
done
if [ -z "$PORT" ]; then
    bad "server did not start: $(cat "$T/server.log")"
else
    ok
    code=$(curl -s -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$PORT/")
    [ "$code" = 200 ] && ok || bad "GET / answered $code"
    out_has 'zhucan console'
    code=$(curl -s -o "$T/out" -w '%{http_code}' "http://127.0.0.1:$PORT/v1/rules?after=0")
    [ "$code" = 401 ] && ok || bad "unsigned GET /v1/rules answered $code"
    out_has '"error":"unauthorized"'
    out_has '"hub_time":'
    grep -q 'GET /v1/rules 401' "$T/server.log" && ok || bad "no log line: $(cat "$T/server.log")"
    kill -TERM "$SERVER"
    wait "$SERVER"
    rc=$?
    SERVER=
    [ "$rc" -eq 0 ] && ok || bad "server exit $rc after SIGTERM: $(cat "$T/server.log")"
fi

echo "zhucan_hub.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
