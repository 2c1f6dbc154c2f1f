#!/bin/sh
# A kiosk and the hub on loopback, on one backend: the hub is set up by `zhucan-hub admin`
# (canteen, rules, roster, menu, enrolment code), the kiosk enrols and syncs, sells while the hub
# is down, syncs again, and the hub's day report equals the kiosk's byte for byte. Then a second
# kiosk of another canteen, and `zhucanctl verify` against what the hub holds.
# usage: kiosk_hub.sh sqlite|postgres ZHUCAN-HUB ZHUCANCTL SOURCE_DIR
set -eu
BACKEND=$1
HUB_BIN=$2
CTL=$3
SRC=$4
WORK=$(mktemp -d "${ZC_TEST_TMP:-/tmp}/kiosk_hub.XXXXXX")
trap 'hub_stop hub; rm -rf "$WORK"' EXIT
mkdir -p "$WORK"
. "$SRC/tests/integration/lib.sh"

DB=$(db_url "$BACKEND" "kiosk_hub_$$")
admin() { "$HUB_BIN" admin --db "$DB" "$@"; }

admin canteen add C0107 "崇安寺社区食堂" --region 320202
admin canteen add C0201 "梁溪区长者食堂" --region 320213
admin rules publish "$SRC/assets/rules/default.json" >/dev/null
admin roster import "$SRC/assets/demo/roster.csv" >/dev/null
admin menu import --canteen C0107 "$SRC/assets/demo/menu.csv" >/dev/null
CODE=$(admin enrol-code --canteen C0107)
CODE2=$(admin enrol-code --canteen C0201)

hub_start hub "$DB"
K="$WORK/kiosk"
ok "enrol" "$CTL" enrol --data "$K" --hub "$hub_URL" --code "$CODE" >/dev/null
ok "a code works once" sh -c "! '$CTL' enrol --data '$WORK/other' --hub '$hub_URL' --code '$CODE' 2>/dev/null"
ok "first sync" "$CTL" sync --data "$K" --hub "$hub_URL" >"$WORK/sync1.json"
ok "the kiosk has the hub's rules" grep -q '"rules_installed":1' "$WORK/sync1.json"
ok "the kiosk has the hub's roster" "$CTL" roster lookup --data "$K" --id-number 32020219400229103X >/dev/null
"$CTL" device --data "$K" >"$WORK/device.json"
ok "canteen from the code" grep -q '"canteen":"C0107"' "$WORK/device.json"

# Offline: the hub is stopped and the kiosk goes on selling.
hub_stop hub
DAY=$(TZ=Asia/Shanghai date -d '2 days ago' +%F)
i=0
for t in 11:00 11:10 11:20 11:30 11:40 11:50 12:00 12:10; do
    i=$((i + 1))
    "$CTL" sell --data "$K" --id-number 32020219400229103X --price 1500 --at "${DAY}T$t:00+08:00" >/dev/null
    "$CTL" sell --data "$K" --qr ZCE1.2JHTLGMXGEDN73U55XTPLPFT7V --item L01 --at "${DAY}T$t:30+08:00" >/dev/null
    "$CTL" sell --data "$K" --card 4A23D596 --price 1800 --paid other --at "${DAY}T$t:40+08:00" >/dev/null
done
"$CTL" void --data "$K" --seq 2 --reason "wrong dish" --at "${DAY}T13:00:00+08:00" >/dev/null
ok "sync fails while the hub is down" sh -c "! '$CTL' sync --data '$K' --hub '$hub_URL' >/dev/null 2>&1"

hub_start hub "$DB"
ok "sync after the hub is back" "$CTL" sync --data "$K" --hub "$hub_URL" >"$WORK/sync2.json"
ok "every entry pushed" grep -q '"acked":25' "$WORK/sync2.json"
ok "nothing pending" grep -q '"pending":0' "$WORK/sync2.json"
ok "a second round is a no-op" "$CTL" sync --data "$K" --hub "$hub_URL" >"$WORK/sync3.json"
ok "nothing pushed twice" grep -q '"pushed":0' "$WORK/sync3.json"

"$CTL" report day --data "$K" --date "$DAY" --format json >"$WORK/kiosk-report.json"
admin report day --canteen C0107 --date "$DAY" --format json >"$WORK/hub-report.json"
same "hub and kiosk day reports" "$WORK/kiosk-report.json" "$WORK/hub-report.json"
ok "the kiosk's ledger verifies" "$CTL" verify --data "$K" >/dev/null
admin anomalies >"$WORK/anomalies.txt"
ok "no chain anomaly on the hub" sh -c "! grep -Eq 'broken_chain|bad_signature|gap' '$WORK/anomalies.txt'"

# A second kiosk in another canteen sells a subsidised lunch to the same elder in the same
# period: the hub raises a double subsidy.
K2="$WORK/kiosk2"
ok "enrol a second kiosk" "$CTL" enrol --data "$K2" --hub "$hub_URL" --code "$CODE2" >/dev/null
ok "second kiosk syncs" "$CTL" sync --data "$K2" --hub "$hub_URL" >/dev/null
"$CTL" sell --data "$K2" --id-number 32020219400229103X --price 1500 --at "${DAY}T11:05:00+08:00" >/dev/null
ok "second kiosk pushes" "$CTL" sync --data "$K2" --hub "$hub_URL" >/dev/null
admin anomalies >"$WORK/anomalies2.txt"
ok "double subsidy raised" grep -q double_subsidy "$WORK/anomalies2.txt"
"$CTL" report day --data "$K2" --date "$DAY" --format json >"$WORK/kiosk2-report.json"
admin report day --canteen C0201 --date "$DAY" --format json >"$WORK/hub2-report.json"
same "second canteen's reports" "$WORK/kiosk2-report.json" "$WORK/hub2-report.json"

finish
