#!/bin/sh
# Builds zhucan (Release) and sets up a demo kiosk: demo roster and menu, the default rules signed
# by a demo hub key, a few sales and a void, then the ledger check and the day report. Then it
# starts the kiosk program with simulated devices: in a window when there is a desktop (type
# `qr ...`, `card ...` or `id_card NUMBER NAME` lines into this terminal to play a reader), or,
# with no display, a scripted walk through a sale whose screenshots land in build/demo/screens.
# The hub joins this script when it lands.
# usage: packaging/demo.sh [DEMO_DIR]   (after packaging/install-deps.sh)
set -eu
cd "$(dirname "$0")/.."
DEMO=${1:-build/demo}
JOBS=$(nproc 2>/dev/null || echo 2)

cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" --target zhucanctl zhucan-kiosk zhucan-hal
CTL=build/release/app/ctl/zhucanctl
KIOSK=build/release/app/kiosk/zhucan-kiosk

rm -rf "$DEMO"
mkdir -p "$DEMO"
echo "== rules-signing key of the demo hub"
"$CTL" keys new --out "$DEMO/hub-keys"
echo "== a kiosk for canteen C0107"
"$CTL" init --data "$DEMO/kiosk" --canteen C0107 --rules-pubkey "$DEMO/hub-keys/public.key"
echo "== the demo roster (assets/demo/roster.csv)"
"$CTL" roster import --data "$DEMO/kiosk" assets/demo/roster.csv
echo "== the demo menu (assets/demo/menu.csv)"
"$CTL" menu import --data "$DEMO/kiosk" assets/demo/menu.csv
echo "== the default rules (assets/rules/default.json), signed by the hub key and installed"
"$CTL" rules sign --key "$DEMO/hub-keys/secret.key" assets/rules/default.json >"$DEMO/default.bundle"
"$CTL" rules install --data "$DEMO/kiosk" "$DEMO/default.bundle"
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
echo "== yesterday's report"
"$CTL" report day --data "$DEMO/kiosk" --date "$DAY"
echo
echo "Demo kiosk in $DEMO/kiosk; try: $CTL --help"
echo
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "== zhucan-kiosk in a window. Staff PIN 1234, manager PIN 9999 (change them in staff mode)."
    echo "   Type lines like these here to play the devices, then press Enter:"
    echo "     id_card 320202193803151008 王秀英      qr ZCE1.2JHTLGMXGEDN73U55XTPLPFT7V      card 4A23D596"
    exec "$KIOSK" --data "$DEMO/kiosk" --windowed --devices sim
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
