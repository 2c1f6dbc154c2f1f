#!/bin/sh
# Kiosk benchmarks (DESIGN.md "The kiosk program"): zhucan-kiosk in service under
# SDL_VIDEODRIVER=offscreen with a simulated reader on a FIFO, timed by its own trace
# (ZHUCAN_KIOSK_TRACE=1: performance-counter stamps on stderr) and by /proc.
#
#   cold start      process start to the idle screen presented
#   event -> frame  a device event queued by the reader's thread to the frame that shows it
#                   presented (the status strip changing on "unplug" / "plug"), and one QR code
#                   to the screen after the lookup
#   frame           a full redraw: layout, render, present (the kiosk has no animation)
#   idle CPU        user+system time of the process over IDLE_SECONDS with nothing happening
#   memory          VmRSS and VmHWM with the CJK font loaded and every idle texture cached
#
# usage: tests/bench/bench_kiosk.sh ZHUCAN_KIOSK ZHUCANCTL [IDLE_SECONDS] [WxH]
#        (e.g. build/release/app/kiosk/zhucan-kiosk build/release/app/ctl/zhucanctl 60)
# SDL's renderer is the best available (offscreen: OpenGL on Mesa's llvmpipe where present);
# SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0 measures the software renderer, a
# kiosk without a GPU driver. BENCH_TRACE=FILE keeps the kiosk's trace.
set -eu
KIOSK=$1
CTL=$2
IDLE=${3:-20}
SIZE=${4:-1920x1080}
EVENTS=40
SRC=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_kiosk.XXXXXX")
PID=
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

sh "$SRC/tests/ui/make_data.sh" "$CTL" "$SRC" "$WORK/data"
FIFO=$WORK/sim.fifo
mkfifo "$FIFO"
SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy ZHUCAN_KIOSK_TRACE=1 \
    "$KIOSK" --data "$WORK/data/kiosk" --windowed --size "$SIZE" --devices "sim:fifo:$FIFO" \
    >"$WORK/out.log" 2>"$WORK/trace.log" &
PID=$!

wait_for() { # PATTERN COUNT: until the trace holds COUNT lines matching PATTERN (10 s at most)
    for _ in $(seq 100); do
        [ "$(grep -c "$1" "$WORK/trace.log" || true)" -ge "$2" ] && return 0
        sleep 0.1
    done
    echo "bench_kiosk: timed out waiting for \"$1\"" >&2
    cat "$WORK/trace.log" >&2
    exit 1
}

wait_for "start to first frame" 1
exec 3>"$FIFO" # the simulated reader's other end, held open for the whole run
sleep 1        # the reader's own "connected" status comes and is drawn first
base=$(grep -c "device event to frame" "$WORK/trace.log" || true)

# Status events: each changes the status strip of the idle screen, so each is one frame.
for i in $(seq "$EVENTS"); do
    if [ $((i % 2)) = 1 ]; then echo "unplug" >&3; else echo "plug" >&3; fi
    wait_for "device event to frame" $((base + i))
    sleep 0.05
done
# Idle: the idle screen, which waits for nobody; count what the process does meanwhile.
sleep 2
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
frames0=$(grep -c "trace: frame" "$WORK/trace.log")
t0=$(ticks)
sleep "$IDLE"
t1=$(ticks)
frames1=$(grep -c "trace: frame" "$WORK/trace.log")
hz=$(getconf CLK_TCK)
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")

# A QR code not in the roster: the lookup, then the error screen.
echo "qr ZCE1.NOTINTHEROSTER0000000000" >&3
wait_for "device event to frame" $((base + EVENTS + 1))
[ -z "${BENCH_TRACE:-}" ] || cp "$WORK/trace.log" "$BENCH_TRACE" # for a closer look

kill "$PID"
wait "$PID" 2>/dev/null || true
PID=

stats() { # values on stdin, one a line -> "min / median / max"
    sort -n | awk '{v[NR] = $1} END {
        if (NR == 0) { print "none"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f / %.3f / %.3f ms (n=%d)\n", v[1], m, v[NR], NR }'
}

echo "$(sed -n "s/^zhucan-kiosk: //p" "$WORK/trace.log" | head -n 1) ($(nproc) cores)"
printf "cold start to idle frame:        %s ms\n" \
    "$(sed -n 's/^trace: start to first frame \([0-9.]*\) ms/\1/p' "$WORK/trace.log")"
printf "device event -> frame (status):  %s" \
    "$(sed -n 's/^trace: device event to frame \([0-9.]*\) ms/\1/p' "$WORK/trace.log" |
        sed -n "$((base + 1)),$((base + EVENTS))p" | stats)"
printf "\ndevice event -> frame (QR, incl. roster lookup): %s ms\n" \
    "$(sed -n 's/^trace: device event to frame \([0-9.]*\) ms/\1/p' "$WORK/trace.log" |
        sed -n "$((base + EVENTS + 1))p")"
printf "full redraw (layout+render+present): %s" \
    "$(sed -n 's/^trace: frame [0-9]* [a-z_]* layout \([0-9.]*\) ms render \([0-9.]*\) ms present \([0-9.]*\) ms/\1 \2 \3/p' \
        "$WORK/trace.log" | awk '{print $1 + $2 + $3}' | stats)"
printf "\nidle CPU over %s s:              %s%% (%s ticks at %s Hz)\n" "$IDLE" \
    "$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$IDLE" 'BEGIN {printf "%.3f", 100 * (b - a) / hz / s}')" \
    $((t1 - t0)) "$hz"
echo "frames drawn while idle:         $((frames1 - frames0))"
echo "resident memory:                 VmRSS $((rss / 1024)) MB, VmHWM $((hwm / 1024)) MB"
