#!/bin/sh
# Bad scripts and command lines get exit status 2 and one line naming FILE:LINE and the reason,
# before any window opens; a tap on an element the screen does not show fails the run (status 1).
# usage: script_errors.sh ZHUCAN_KIOSK ZHUCANCTL SOURCE_DIR WORK_DIR
set -eu
KIOSK=$1
CTL=$2
SRC=$3
WORK=$4
rm -rf "$WORK"
mkdir -p "$WORK"
SDL_VIDEODRIVER=offscreen
SDL_AUDIODRIVER=dummy
export SDL_VIDEODRIVER SDL_AUDIODRIVER
sh "$SRC/tests/ui/make_data.sh" "$CTL" "$SRC" "$WORK/data"
DATA=$WORK/data/kiosk
failures=0

# expect STATUS STDERR_SUBSTRING SCRIPT_TEXT: the script's run exits STATUS saying STDERR_SUBSTRING
expect() {
    printf '%s\n' "$3" >"$WORK/t.script"
    set +e
    "$KIOSK" --data "$DATA" --windowed --size 1280x800 --script "$WORK/t.script" \
        --screenshots "$WORK" >/dev/null 2>"$WORK/t.err"
    status=$?
    set -e
    if [ "$status" != "$1" ] || ! grep -qF -- "$2" "$WORK/t.err"; then
        echo "FAIL: expected status $1 and \"$2\" for:" >&2
        printf '%s\n' "$3" >&2
        echo "got status $status:" >&2
        cat "$WORK/t.err" >&2
        failures=$((failures + 1))
    fi
}

S=$WORK/t.script
expect 2 "$S:2: unknown action \"dance\"" "0 clock 2026-01-05T12:00:00+08:00
10 dance"
expect 2 "$S:1: expected TIME_MS" "soon tap confirm"
expect 2 "$S:1: expected TIME_MS" "-5 tap confirm"
expect 2 "$S:3: time 5 is before the previous line's 10" "# times only go forward
10 tap staff
5 tap staff"
expect 2 "$S:1: clock:" "0 clock yesterday"
expect 2 "$S:1: clock:" "0 clock 2026-01-05T12:00:00"
expect 2 "$S:1: usage: id_card ID_NUMBER NAME" "0 id_card 123 张三"
expect 2 "$S:1: usage: id_card ID_NUMBER NAME" "0 id_card 320202193803151008"
expect 2 "$S:1: qr needs a value" "0 qr"
expect 2 "$S:1: expected an element id" "0 tap"
expect 2 "$S:1: expected an element id" "0 tap ../../etc"
expect 2 "$S:1: expected a file name" "0 screenshot ../escape"
expect 2 "$S:1: expected a device name" "0 unplug"
expect 2 "$S:1: quit takes no arguments" "0 quit now"
expect 2 "$S:2: expected an action" "# a time alone
100"
expect 1 "$S:2: no element \"confirm\" on screen idle" "0 clock 2026-01-05T12:00:00+08:00
100 tap confirm"

# A script with screenshots needs --screenshots; options are checked too.
printf '0 screenshot x\n' >"$WORK/shot.script"
set +e
"$KIOSK" --data "$DATA" --script "$WORK/shot.script" 2>"$WORK/t.err"
[ $? = 2 ] && grep -q "give --screenshots DIR" "$WORK/t.err" || {
    echo "FAIL: screenshots without --screenshots" >&2
    failures=$((failures + 1))
}
"$KIOSK" --data "$DATA" --size 12x 2>"$WORK/t.err"
[ $? = 2 ] && grep -q -- "--size 12x" "$WORK/t.err" || {
    echo "FAIL: bad --size" >&2
    failures=$((failures + 1))
}
"$KIOSK" --data "$WORK/nonexistent" --script "$WORK/shot.script" 2>"$WORK/t.err"
[ $? = 2 ] && grep -q "no such directory" "$WORK/t.err" || {
    echo "FAIL: missing --data directory" >&2
    failures=$((failures + 1))
}
"$KIOSK" --script "$WORK/no-such.script" --data "$DATA" 2>"$WORK/t.err"
[ $? = 2 ] && grep -q "no-such.script" "$WORK/t.err" || {
    echo "FAIL: missing script file" >&2
    failures=$((failures + 1))
}
set -e

# A good script that quits early: status 0, and nothing after quit runs.
expect 0 "" "0 clock 2026-01-05T12:00:00+08:00
100 quit
200 tap confirm"

[ "$failures" = 0 ] || exit 1
echo "ok"
