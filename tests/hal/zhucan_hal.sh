#!/bin/sh
# zhucan-hal as a technician runs it: replay of recorded device streams prints DESIGN.md's JSON
# lines, print-test writes a page, bad input exits 2 with one line on stderr.
# usage: zhucan_hal.sh ZHUCAN_HAL SOURCE_DIR
set -u
HAL=$1
DATA=$2/tests/hal/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
check() { # DESCRIPTION EXPECTED-SUBSTRING FILE
    if grep -qF -- "$2" "$3"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: $(cat "$3")"; fi
}
code() { # DESCRIPTION WANT GOT
    if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: exit $3, wanted $2"; fi
}

"$HAL" replay --driver ga467 "$DATA/ga467/read_zhangsanhua.bin" >"$T/out" 2>"$T/err"
code "replay ga467" 0 $?
check "an ID card event" '{"kind":"id_card","name":"张三华","sex":"男","nation":"汉","birth_date":"1946-05-01"' "$T/out"
check "valid to 长期" '"valid_to":"长期"' "$T/out"
"$HAL" replay --driver ga467 "$DATA/ga467/bad_checksum_then_read.bin" >"$T/out"
check "garbage gives an error event" '{"kind":"error","message":"checksum error' "$T/out"
check "and the reader goes on" '"id_number":"320202194605011236"' "$T/out"
"$HAL" replay --driver hid-cardreader "$DATA/hid/mealcard.bin" >"$T/out"
check "a meal card" '{"kind":"meal_card","uid":"0012345678"}' "$T/out"
for f in "$DATA"/hid/*.bin; do
    "$HAL" replay --driver hid-scanner "$f" >"$T/out" 2>&1
    code "replay $(basename "$f")" 0 $?
done
printf 'qr ZCE1.ABC\ncard 42\nwhat\n' >"$T/sim.txt"
"$HAL" replay --driver sim "$T/sim.txt" >"$T/out"
check "sim qr" '{"kind":"qr","text":"ZCE1.ABC"}' "$T/out"
check "sim error" '{"kind":"error"' "$T/out"
head -c 100000 /dev/urandom >"$T/noise.bin"
for d in ga467 hid-scanner hid-cardreader escpos sim; do
    "$HAL" replay --driver "$d" "$T/noise.bin" >/dev/null 2>&1
    code "random bytes to $d" 0 $?
done

"$HAL" replay --driver nope "$T/sim.txt" >"$T/out" 2>"$T/err"
code "unknown driver" 2 $?
check "unknown driver named" "unknown driver nope" "$T/err"
"$HAL" replay --driver sim "$T/missing.bin" >"$T/out" 2>"$T/err"
code "missing file" 2 $?
"$HAL" print-test --out "$T/page.bin" --paper 80 2>"$T/err"
code "print-test to a file" 0 $?
[ -s "$T/page.bin" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: empty page"; }
"$HAL" print-test --paper 57 --out "$T/x" 2>"$T/err"
code "bad paper" 2 $?
"$HAL" frobnicate 2>"$T/err"
code "unknown command" 2 $?
"$HAL" list >"$T/out" 2>&1
code "list" 0 $?

echo "zhucan-hal: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
