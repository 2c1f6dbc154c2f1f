#!/bin/sh
# Builds zhucan (Release) and sets up a demo kiosk with the demo roster, then shows what it holds.
# This is what exists so far: the kiosk's durable offline store and zhucanctl. The SDL kiosk
# program and the hub join this script when they land.
# usage: packaging/demo.sh [DEMO_DIR]   (after packaging/install-deps.sh)
set -eu
cd "$(dirname "$0")/.."
DEMO=${1:-build/demo}
JOBS=$(nproc 2>/dev/null || echo 2)

cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" --target zhucanctl
CTL=build/release/app/ctl/zhucanctl

rm -rf "$DEMO"
mkdir -p "$DEMO"
echo "== rules-signing key of the demo hub"
"$CTL" keys new --out "$DEMO/hub-keys"
echo "== a kiosk for canteen C0107"
"$CTL" init --data "$DEMO/kiosk" --canteen C0107 --rules-pubkey "$DEMO/hub-keys/public.key"
echo "== the demo roster (assets/demo/roster.csv)"
"$CTL" roster import --data "$DEMO/kiosk" assets/demo/roster.csv
echo "== an elder looked up by ID number, as staff would"
"$CTL" roster lookup --data "$DEMO/kiosk" --id-number 32020219400229103X
echo "== ledger check"
"$CTL" verify --data "$DEMO/kiosk"
echo "== today's report"
"$CTL" report day --data "$DEMO/kiosk" --date "$(TZ=Asia/Shanghai date +%F)"
echo
echo "Demo kiosk in $DEMO/kiosk; try: $CTL --help"
