#!/bin/sh
# One UI test run at one screen size: a fresh data directory, the scripts in order (the elder's
# sale, the error screens, staff mode) under SDL_VIDEODRIVER=offscreen, the ledger checked with
# zhucanctl, and every screenshot compared with its golden in tests/ui/goldens/WxH/.
#
# usage: run_ui.sh ZHUCAN_KIOSK ZHUCANCTL ZC_UI_COMPARE SOURCE_DIR WORK_DIR WxH [zh|en]
# ZC_UI_UPDATE=1 writes the screenshots as the new goldens instead of comparing (then look at
# every one of them before committing).
set -eu
KIOSK=$1
CTL=$2
COMPARE=$3
SRC=$4
WORK=$5
SIZE=$6
LANG_UI=${7:-zh}
UI=$SRC/tests/ui
GOLDEN=$UI/goldens/$SIZE
[ "$LANG_UI" = zh ] || GOLDEN=$UI/goldens/$LANG_UI-$SIZE
DATE=2026-01-05 # the day the scripts' clocks say

fail() {
    echo "FAIL ($SIZE): $*" >&2
    exit 1
}

sh "$UI/make_data.sh" "$CTL" "$SRC" "$WORK" # (it starts by emptying WORK)
mkdir -p "$WORK/shots"
SDL_VIDEODRIVER=offscreen
SDL_AUDIODRIVER=dummy
export SDL_VIDEODRIVER SDL_AUDIODRIVER

for script in elder errors staff; do
    if ! "$KIOSK" --data "$WORK/kiosk" --windowed --size "$SIZE" \
        --lang "$LANG_UI" --script "$UI/scripts/$script.script" --screenshots "$WORK/shots" \
        >"$WORK/$script.out" 2>"$WORK/$script.err"; then
        cat "$WORK/$script.err" >&2
        fail "$script.script"
    fi
done

# What the elder heard: the amount to pay is spoken on the confirm screen.
if [ "$LANG_UI" = zh ]; then
    grep -q '^speech: 原价15元，政府补贴4元，您付11元' "$WORK/elder.out" ||
        fail "the confirm screen did not speak the amounts"
fi
grep -q '^printer: receipt seq 1, pays ¥11.00' "$WORK/elder.out" || fail "no receipt printed"

# The sales landed in the ledger: two sales, one voided by staff, the chain intact.
"$CTL" verify --data "$WORK/kiosk" >"$WORK/verify.json" || fail "zhucanctl verify"
"$CTL" report day --data "$WORK/kiosk" --date "$DATE" --format json >"$WORK/report.json" ||
    fail "zhucanctl report day"
grep -q '"sales":2,"voids":1,' "$WORK/report.json" ||
    fail "report: expected 2 sales and 1 void: $(cat "$WORK/report.json")"

if [ "${ZC_UI_UPDATE:-0}" = 1 ]; then
    rm -rf "$GOLDEN"
    mkdir -p "$GOLDEN"
    cp "$WORK"/shots/*.png "$GOLDEN"/
    echo "goldens for $SIZE written to $GOLDEN: look at every one before committing"
    exit 0
fi

status=0
for shot in "$WORK"/shots/*.png; do
    name=$(basename "$shot")
    if [ ! -f "$GOLDEN/$name" ]; then
        echo "$SIZE/$name: no golden (ZC_UI_UPDATE=1 makes one)" >&2
        status=1
        continue
    fi
    mask=${shot%.png}.mask
    if [ -f "$mask" ]; then
        "$COMPARE" --mask "$mask" --diff "$WORK/diff-$name" "$GOLDEN/$name" "$shot" || status=1
    else
        "$COMPARE" --diff "$WORK/diff-$name" "$GOLDEN/$name" "$shot" || status=1
    fi
done
for golden in "$GOLDEN"/*.png; do
    [ -f "$WORK/shots/$(basename "$golden")" ] || {
        echo "$golden: no screenshot of that name any more" >&2
        status=1
    }
done
[ "$status" = 0 ] || fail "screenshots differ from goldens (diff-*.png in $WORK)"
echo "ok: $SIZE"
