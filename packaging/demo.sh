#!/bin/sh
# Builds zhucan (Release) and starts the whole system with demo data: the hub (embedded SQLite,
# console on http://127.0.0.1:8080, user admin / zhucan-demo) seeded with two canteens, the default
# rules, the demo roster and menu; a kiosk of canteen C0107 enrolled with a one-time code and in
# step with the hub; a few sales and a void, synced, and the hub's report next to the kiosk's.
# Then the kiosk program with simulated devices: in a window when there is a desktop (type
# `qr ...`, `card ...` or `id_card NUMBER NAME` lines into this terminal to play a reader), or,
# with no display, a scripted walk through a sale whose screenshots land in build/demo/screens.
# The hub keeps running while the kiosk runs (and, from a terminal, until you press Enter).
# usage: packaging/demo.sh [DEMO_DIR]   (after packaging/install-deps.sh)
#        ZC_DEMO_PORT=8080 sets the hub's port.
set -eu
cd "$(dirname "$0")/.."
DEMO=${1:-build/demo}
PORT=${ZC_DEMO_PORT:-8080}
JOBS=$(nproc 2>/dev/null || echo 2)

cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" --target zhucanctl zhucan-kiosk zhucan-hal zhucan-hub
CTL=build/release/app/ctl/zhucanctl
KIOSK=build/release/app/kiosk/zhucan-kiosk
HUB=build/release/app/hub/zhucan-hub

rm -rf "$DEMO"
mkdir -p "$DEMO"
DB="sqlite:$DEMO/hub.db"
echo "== the hub's database ($DEMO/hub.db): canteens, an administrator, rules, roster, menu"
"$HUB" admin --db "$DB" canteen add C0107 "崇安寺社区长者食堂" --region 320202
"$HUB" admin --db "$DB" canteen add C0201 "梁溪区助餐点" --region 320213
echo zhucan-demo | "$HUB" admin --db "$DB" user add admin --role admin
echo zhucan-view | "$HUB" admin --db "$DB" user add viewer --role viewer
"$HUB" admin --db "$DB" rules publish assets/rules/default.json
"$HUB" admin --db "$DB" roster import assets/demo/roster.csv
"$HUB" admin --db "$DB" menu import --canteen C0107 assets/demo/menu.csv
CODE=$("$HUB" admin --db "$DB" enrol-code --canteen C0107)
echo "== the hub on http://127.0.0.1:$PORT (log in $DEMO/hub.log)"
"$HUB" --db "$DB" --listen "127.0.0.1:$PORT" 2>"$DEMO/hub.log" &
HUB_PID=$!
trap 'kill $HUB_PID 2>/dev/null || true' EXIT INT TERM
i=0
until grep -q "listening on" "$DEMO/hub.log" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $HUB_PID 2>/dev/null; then
        cat "$DEMO/hub.log" >&2
        echo "demo: the hub did not start (port $PORT taken? set ZC_DEMO_PORT)" >&2
        exit 1
    fi
    sleep 0.1
done
HUB_URL="http://127.0.0.1:$PORT"
echo "== a kiosk for canteen C0107 joins the hub with enrolment code $CODE"
"$CTL" enrol --data "$DEMO/kiosk" --hub "$HUB_URL" --code "$CODE"
echo "== first sync: rules, roster and menu from the hub"
"$CTL" sync --data "$DEMO/kiosk"
echo "== an elder looked up by ID number, as staff would"
"$CTL" roster lookup --data "$DEMO/kiosk" --id-number 32020219400229103X
# Yesterday, so that the clock guard still lets you sell now without --at.
DAY=$(TZ=Asia/Shanghai date -d yesterday +%F)
echo "== three lunches yesterday: an 86-year-old by ID card, a dibao elder by QR code, a visitor"
"$CTL" sell --data "$DEMO/kiosk" --id-number 32020219400229103X --item L01 --at "${DAY}T11:30:00+08:00"
"$CTL" sell --data "$DEMO/kiosk" --qr ZCE1.2JHTLGMXGEDN73U55XTPLPFT7V --item L02 --at "${DAY}T11:45:00+08:00"
"$CTL" sell --data "$DEMO/kiosk" --qr ZCE1.UNKNOWN --price 1500 --at "${DAY}T12:00:00+08:00" --paid other
echo "== the same elder again in the same lunch: the per-period limit"
"$CTL" sell --data "$DEMO/kiosk" --id-number 32020219400229103X --price 1500 --at "${DAY}T12:10:00+08:00"
echo "== void that one, with a reason"
"$CTL" void --data "$DEMO/kiosk" --seq 4 --reason "sold twice by mistake" --at "${DAY}T12:15:00+08:00"
echo "== ledger check"
"$CTL" verify --data "$DEMO/kiosk"
echo "== sync: the sales go to the hub"
"$CTL" sync --data "$DEMO/kiosk"
echo "== yesterday's report, on the kiosk and on the hub (the same JSON)"
"$CTL" report day --data "$DEMO/kiosk" --date "$DAY" --format json
"$HUB" admin --db "$DB" report day --canteen C0107 --date "$DAY" --format json
echo
echo "Hub console: $HUB_URL  (admin / zhucan-demo, viewer / zhucan-view)"
echo "Demo kiosk in $DEMO/kiosk; try: $CTL --help"
echo
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "== zhucan-kiosk in a window. Staff PIN 1234, manager PIN 9999 (change them in staff mode)."
    echo "   Type lines like these here to play the devices, then press Enter:"
    echo "     id_card 320202193803151008 王秀英      qr ZCE1.2JHTLGMXGEDN73U55XTPLPFT7V      card 4A23D596"
    "$KIOSK" --data "$DEMO/kiosk" --windowed --devices sim
    exit 0
fi
echo "== no display here: a scripted sale under SDL's offscreen driver, screenshots in $DEMO/screens"
mkdir -p "$DEMO/screens"
NOW=$(TZ=Asia/Shanghai date +%Y-%m-%dT12:00:00+08:00)
cat >"$DEMO/walk.script" <<SCRIPT
0 clock $NOW
500 screenshot idle
1000 id_card 320202193803151008 王秀英
1500 screenshot identified
4000 tap continue
4500 screenshot choose
7000 tap next
10000 tap item:L01
10500 screenshot confirm
14000 tap confirm
14500 screenshot done
30000 screenshot idle_after_sale
30500 quit
SCRIPT
SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy "$KIOSK" --data "$DEMO/kiosk" --size 1280x800 \
    --script "$DEMO/walk.script" --screenshots "$DEMO/screens"
ls "$DEMO/screens"
echo "With a desktop, packaging/demo.sh opens the kiosk in a window instead."
"$CTL" sync --data "$DEMO/kiosk" >/dev/null
if [ -t 0 ]; then
    echo "The hub is running: open $HUB_URL in a browser. Press Enter to stop it."
    read -r _
fi
