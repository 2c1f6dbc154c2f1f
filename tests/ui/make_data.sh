#!/bin/sh
# A fresh kiosk data directory, as packaging/demo.sh makes one: a rules-signing key standing in
# for the hub's, zhucanctl init, the demo roster and menu, the default rules signed and installed.
# usage: make_data.sh ZHUCANCTL SOURCE_DIR DIR   (DIR/kiosk is the data directory)
set -eu
CTL=$1
SRC=$2
DIR=$3
rm -rf "$DIR"
mkdir -p "$DIR"
"$CTL" keys new --out "$DIR/hub-keys" >/dev/null
"$CTL" init --data "$DIR/kiosk" --canteen C0107 --rules-pubkey "$DIR/hub-keys/public.key" >/dev/null
"$CTL" roster import --data "$DIR/kiosk" "$SRC/assets/demo/roster.csv" >/dev/null
"$CTL" menu import --data "$DIR/kiosk" "$SRC/assets/demo/menu.csv" >/dev/null
"$CTL" rules sign --key "$DIR/hub-keys/secret.key" "$SRC/assets/rules/default.json" >"$DIR/default.bundle"
"$CTL" rules install --data "$DIR/kiosk" "$DIR/default.bundle" >/dev/null
