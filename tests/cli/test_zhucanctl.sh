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

# rules: check, sign, show, install; quote; menu; sell; void; receipt verify.
# The kiosk is canteen C0107, which the rule set's override gives a flat 300 from age 60.
cat >"$T/rules.json" <<'JSON'
{"schema": "zhucan.rules/1", "version": 12, "effective_from": "2026-01-01T00:00:00+08:00",
 "timezone": "Asia/Shanghai",
 "meal_periods": [{"id": "breakfast", "start": "06:30", "end": "09:00"},
                  {"id": "lunch", "start": "10:30", "end": "13:30"},
                  {"id": "dinner", "start": "16:30", "end": "19:00"}],
 "age_tiers": [{"id": "60-69", "min_age": 60, "max_age": 69, "subsidy": 200},
               {"id": "70-79", "min_age": 70, "max_age": 79, "subsidy": 300},
               {"id": "80+", "min_age": 80, "subsidy": 500}],
 "categories": {"tekun": {"subsidy": 1000, "waive_min_self_pay": true},
                "dibao": {"subsidy": 500}, "shineng": {"subsidy": 300}},
 "stacking": "max", "per_meal_cap": 1000, "min_self_pay": 100,
 "limits": {"per_period": 1, "per_day": 2, "per_month": 62},
 "registered_only": true, "regions": ["3202"],
 "canteen_overrides": [{"canteens": ["C0107"], "age_tiers": [{"id": "60+", "min_age": 60, "subsidy": 300}]}]}
JSON
expect 0 "rules check" -- "$CTL" rules check "$T/rules.json"
out_has '"version":12'
sed 's/"max_age": 79/"max_age": 85/' "$T/rules.json" >"$T/overlap.json"
expect 2 "rules check refuses overlapping tiers" -- "$CTL" rules check "$T/overlap.json"
err_has "overlap.json"
err_has "age_tiers\[2\]"
expect 0 "rules sign" -- "$CTL" rules sign --key "$T/hub/secret.key" "$T/rules.json"
cp "$T/out" "$T/rules.bundle"
expect 2 "rules sign refuses a broken set" -- "$CTL" rules sign --key "$T/hub/secret.key" "$T/overlap.json"
expect 0 "rules check on a bundle" -- "$CTL" rules check "$T/rules.bundle"
out_has '"signed":true'
expect 0 "rules show" -- "$CTL" rules show "$T/rules.bundle"
out_has '"signer":"'
out_has '"content":{'
"$CTL" keys new --out "$T/other" >/dev/null
"$CTL" rules sign --key "$T/other/secret.key" "$T/rules.json" >"$T/foreign.bundle"
expect 2 "rules install refuses a foreign signer" -- "$CTL" rules install --data "$T/k" "$T/foreign.bundle"
err_has "pinned"
sed 's/"signature": "./"signature": "A/' "$T/rules.bundle" >"$T/tampered.bundle"
expect 2 "rules install refuses a tampered bundle" -- "$CTL" rules install --data "$T/k" "$T/tampered.bundle"
expect 0 "rules install" -- "$CTL" rules install --data "$T/k" "$T/rules.bundle"
out_has '"version":12'
expect 2 "rules install refuses the same version again" -- "$CTL" rules install --data "$T/k" "$T/rules.bundle"
err_has "not newer"

printf '{"registered": true, "birth_date": "1946-05-01", "region": "320202", "categories": ["dibao"], "status": "active"}' >"$T/elder.json"
expect 0 "quote" -- "$CTL" quote --rules "$T/rules.json" --elder "$T/elder.json" --price 1500 --at 2026-03-02T04:00:00Z
out_has '"subsidy":500'
out_has '"self_pay":1000'
out_has '"period":"lunch"'
out_has '"reason":null'
printf '{"birth_date": "1960-05-01", "region": "320202"}' >"$T/elder65.json"
expect 0 "quote for a 65-year-old" -- "$CTL" quote --rules "$T/rules.bundle" --elder "$T/elder65.json" --price 1500 --at 2026-03-02T12:00:00+08:00 --canteen C0001
out_has '"subsidy":200'
expect 0 "quote at the override canteen" -- "$CTL" quote --rules "$T/rules.bundle" --elder "$T/elder65.json" --price 1500 --at 2026-03-02T12:00:00+08:00 --canteen C0107
out_has '"subsidy":300'
printf '[{"at": "2026-03-02T11:00:00+08:00"}]' >"$T/history.json"
expect 0 "quote with the period used" -- "$CTL" quote --rules "$T/rules.json" --elder "$T/elder.json" --price 1500 --at 2026-03-02T12:00:00+08:00 --history "$T/history.json"
out_has '"subsidy":0'
expect 0 "quote at a local time without offset" -- "$CTL" quote --rules "$T/rules.json" --elder "$T/elder.json" --price 1500 --at 2026-03-02T12:00:00
out_has '"period":"lunch"'
expect 2 "quote at a bad time" -- "$CTL" quote --rules "$T/rules.json" --elder "$T/elder.json" --price 1500 --at 2026-03-02T25:00:00
err_has "--at"
expect 2 "quote without --at" -- "$CTL" quote --rules "$T/rules.json" --elder "$T/elder.json" --price 1500
expect 2 "quote with a bad elder" -- sh -c "printf '{\"status\": \"gone\"}' >'$T/bad-elder.json'; '$CTL' quote --rules '$T/rules.json' --elder '$T/bad-elder.json' --price 1500 --at 2026-03-02T12:00:00+08:00"
err_has "bad-elder.json"

printf 'code,name,price_fen,periods\nL01,红烧肉套餐,1600,lunch|dinner\n' >"$T/menu.csv"
expect 0 "menu import" -- "$CTL" menu import --data "$T/k" "$T/menu.csv"
printf 'code,name,price_fen,periods\nL01,红烧肉套餐,16.00,lunch\n' >"$T/badmenu.csv"
expect 2 "menu import refuses yuan" -- "$CTL" menu import --data "$T/k" "$T/badmenu.csv"
err_has "line 2"
err_has "price_fen"

expect 0 "sell by ID number" -- "$CTL" sell --data "$T/k" --id-number 320202193803151008 --item L01 --at 2026-03-03T12:00:00+08:00
out_has '"subsidy":300'
out_has '"self_pay":1300'
out_has '"seq":7'
RECEIPT=$(sed -n 's/.*"receipt":"\([^"]*\)".*/\1/p' "$T/out")
expect 0 "sell again in the same lunch" -- "$CTL" sell --data "$T/k" --id-number 320202193803151008 --price 1500 --at 2026-03-03T12:10:00+08:00 --paid other
out_has '"subsidy":0'
out_has '"reason":"'
expect 2 "sell before the last sale" -- "$CTL" sell --data "$T/k" --card 4A23D596 --price 1500 --at 2026-03-03T11:00:00+08:00
err_has "earlier than the last"
expect 2 "sell with a bad ID number" -- "$CTL" sell --data "$T/k" --id-number 320202193803151009 --price 1500 --at 2026-03-03T12:20:00+08:00
expect 0 "void" -- "$CTL" void --data "$T/k" --seq 7 --reason "wrong meal" --at 2026-03-03T12:30:00+08:00
out_has '"voids":7'
expect 2 "void twice" -- "$CTL" void --data "$T/k" --seq 7 --reason again --at 2026-03-03T12:31:00+08:00
err_has "already voided"
expect 0 "sell after the void" -- "$CTL" sell --data "$T/k" --card 4a23d596 --price 1500 --at 2026-03-03T12:40:00+08:00
out_has '"subsidy":300'
expect 0 "report after sales and a void" -- "$CTL" report day --data "$T/k" --date 2026-03-03 --format json
out_has '"sales":3,"voids":1'
expect 0 "receipt verify" -- "$CTL" receipt verify "$RECEIPT" --pubkey "$T/k/device.pub"
out_has '"genuine":true'
out_has '"seq":7'
expect 2 "receipt verify with another key" -- "$CTL" receipt verify "$RECEIPT" --pubkey "$T/hub/public.key"
FORGED=$(echo "$RECEIPT" | sed 's/|1600|/|1500|/')
expect 2 "receipt verify of an altered receipt" -- "$CTL" receipt verify "$FORGED" --pubkey "$T/k/device.pub"
expect 0 "verify after selling" -- "$CTL" verify --data "$T/k"

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
