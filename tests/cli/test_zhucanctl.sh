#!/bin/sh
# zhucanctl as a user runs it: results on stdout, exit 0 / 2 (bad input) / 1 (broken ledger),
# one line on stderr naming the file, line and field.
# usage: test_zhucanctl.sh ZHUCANCTL SEED_SALES SOURCE_DIR
set -u
CTL=$1
SEED=$2
SRC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- COMMAND...: runs it, keeps stdout in $T/out and stderr in $T/err.
expect() {
    want=$1; what=$2; shift 3
    "$@" >"$T/out" 2>"$T/err"
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

# keys new
expect 0 "keys new" -- "$CTL" keys new --out "$T/hub"
out_has '"public_key":"'
[ "$(stat -c %a "$T/hub/secret.key")" = 600 ] && ok || bad "secret.key mode is not 600"
[ -s "$T/hub/public.key" ] && ok || bad "public.key missing"
expect 2 "keys new refuses to replace a key" -- "$CTL" keys new --out "$T/hub"
err_has "already exists"
expect 2 "keys without --out" -- "$CTL" keys new
err_has "--out is required"

# init and device
expect 2 "init without canteen" -- "$CTL" init --data "$T/k" --rules-pubkey "$T/hub/public.key"
err_has "--canteen"
expect 2 "init with a bad key" -- "$CTL" init --data "$T/k" --canteen C0107 --rules-pubkey nonsense
err_has "public key"
expect 2 "init with a path-trick canteen" -- "$CTL" init --data "$T/k" --canteen ../x --rules-pubkey "$T/hub/public.key"
expect 0 "init" -- "$CTL" init --data "$T/k" --canteen C0107 --rules-pubkey "$T/hub/public.key"
out_has '"canteen":"C0107"'
out_has '"device_id":"ZK-'
cp "$T/out" "$T/init.json"
[ "$(stat -c %a "$T/k/device.key")" = 600 ] && ok || bad "device.key mode is not 600"
expect 0 "device" -- "$CTL" device --data "$T/k"
cmp -s "$T/out" "$T/init.json" && ok || bad "device differs from init: $(cat "$T/out")"
expect 2 "init twice" -- "$CTL" init --data "$T/k" --canteen C0107 --rules-pubkey "$T/hub/public.key"
err_has "already set up"
expect 2 "device on an empty directory" -- "$CTL" device --data "$T/nowhere"
err_has "no kiosk here"

# roster import: the demo roster, then files that must be refused whole
expect 0 "roster import" -- "$CTL" roster import --data "$T/k" "$SRC/assets/demo/roster.csv"
out_has '"rows":18'
out_has '"added":18'
expect 0 "roster re-import updates" -- "$CTL" roster import --data "$T/k" "$SRC/assets/demo/roster.csv"
out_has '"updated":18'
out_has '"elders":18'
expect 0 "lookup by ID number" -- "$CTL" roster lookup --data "$T/k" --id-number 32020219400229103x
out_has '"masked_name":"刘\*珍"'
out_has '"birth_date":"1940-02-29"'

HEADER=id_number,name,birth_date,region,categories,status,qr_token,card_uid
printf '%s\r\n11010519491231002X,张三,,110105,,active,,\r\n110105194912310022,李四,,110105,,active,,\r\n' "$HEADER" >"$T/badcheck.csv"
expect 2 "roster with a bad check digit" -- "$CTL" roster import --data "$T/k" "$T/badcheck.csv"
err_has "badcheck.csv"
err_has "line 3"
err_has "id_number"
expect 2 "nothing from the refused file was kept" -- "$CTL" roster lookup --data "$T/k" --id-number 11010519491231002X
printf '%s\n11010519491231002X,张三,,110105,,retired,,\n' "$HEADER" >"$T/badstatus.csv"
expect 2 "roster with a bad status" -- "$CTL" roster import --data "$T/k" "$T/badstatus.csv"
err_has "line 2"
err_has "status"
expect 2 "roster file missing" -- "$CTL" roster import --data "$T/k" "$T/none.csv"
err_has "none.csv"

# verify and report on an empty ledger, then with sales
expect 0 "verify empty ledger" -- "$CTL" verify --data "$T/k"
out_has '"ok":true'
expect 0 "report empty day" -- "$CTL" report day --data "$T/k" --date 2026-03-02 --format json
out_has '"sales":0'
out_has '"chain_head":null'
expect 2 "report with an impossible date" -- "$CTL" report day --data "$T/k" --date 2026-02-30
err_has "--date"
expect 2 "report with an unknown format" -- "$CTL" report day --data "$T/k" --date 2026-03-02 --format xml
"$SEED" "$T/k" 6 2026-03-02 || bad "seeding sales failed"
expect 0 "verify with sales" -- "$CTL" verify --data "$T/k"
out_has '"entries":6'
expect 0 "report json" -- "$CTL" report day --data "$T/k" --date 2026-03-02 --format json
out_has '"sales":6'
out_has '"gross":9000'
out_has '"by_period":{"lunch":'
out_has '"chain_head":{"seq":6,"hash":"'
expect 0 "report csv" -- "$CTL" report day --data "$T/k" --date 2026-03-02 --format csv
out_has 'total,"2026-03-02",6,0,9000,3000,6000'
expect 0 "report text" -- "$CTL" report day --data "$T/k" --date 2026-03-02
out_has '¥90.00'

# tampering behind the ledger's back: verify names the first broken sequence number
sqlite3 "$T/k/kiosk.db" "DROP TRIGGER sale_no_update; UPDATE sale SET self_pay = 0 WHERE seq = 4;"
expect 1 "verify tampered ledger" -- "$CTL" verify --data "$T/k"
out_has '"first_bad":4'
err_has "sale 4"

# usage errors
expect 2 "unknown command" -- "$CTL" frobnicate
expect 2 "unknown option" -- "$CTL" verify --data "$T/k" --frob
err_has "unknown option --frob"

echo "zhucanctl: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
