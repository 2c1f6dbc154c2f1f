#!/usr/bin/env python3
"""Writes the recorded HID boot-keyboard streams that tests/hal/test_hidkbd.c decodes.

Each .bin file is what a keyboard-wedge scanner sends on its interrupt endpoint: concatenated
8-byte reports (modifier byte, reserved byte, six key usage ids), the form `zhucan-hal replay`
reads. Real scanners press one key per report and release it in the next; the streams below add
the irregular things devices do (repeated reports, lost releases, rollover, both shift keys, caps
lock, keypad digits). Run it from anywhere; it rewrites the files next to itself.
"""
import os

LCTRL, LSHIFT, LALT, LGUI, RCTRL, RSHIFT, RALT, RGUI = (1 << i for i in range(8))
ENTER, ESC, BACKSPACE, TAB, CAPS, F1, RIGHT, KP_ENTER = 0x28, 0x29, 0x2A, 0x2B, 0x39, 0x3A, 0x4F, 0x58
ROLLOVER = 0x01

# US layout: character -> (usage id, shifted?)
US = {}
for i in range(26):
    US[chr(ord('a') + i)] = (0x04 + i, False)
    US[chr(ord('A') + i)] = (0x04 + i, True)
for i, (plain, shifted) in enumerate(zip("1234567890", "!@#$%^&*()")):
    US[plain] = (0x1E + i, False)
    US[shifted] = (0x1E + i, True)
US[' '] = (0x2C, False)
for i, (plain, shifted) in enumerate(zip("-=[]\\", "_+{}|")):
    US[plain] = (0x2D + i, False)
    US[shifted] = (0x2D + i, True)
for i, (plain, shifted) in enumerate(zip(";'`,./", ":\"~<>?")):
    US[plain] = (0x33 + i, False)
    US[shifted] = (0x33 + i, True)
KEYPAD = {c: 0x59 + i for i, c in enumerate("123456789")}
KEYPAD.update({'0': 0x62, '.': 0x63, '/': 0x54, '*': 0x55, '-': 0x56, '+': 0x57})


def rep(mods=0, *keys):
    keys = list(keys) + [0] * (6 - len(keys))
    return bytes([mods, 0] + keys)


RELEASE = rep()


def key(usage, mods=0):
    """One key pressed then released, as scanners type."""
    return rep(mods, usage) + RELEASE


def typed(text, shift=LSHIFT):
    out = b""
    for c in text:
        usage, shifted = US[c]
        out += key(usage, shift if shifted else 0)
    return out


def enter():
    return key(ENTER)


def write(name, data):
    assert len(data) % 8 == 0 or name.startswith("partial")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "wb") as f:
        f.write(data)


write("qr_zce1.bin", typed("ZCE1.ABCDEFGHIJKLMNOPQRSTUVWXYZ") + enter())
write("url.bin", typed("https://zhucan.example/q?t=ZCE1.Ab-9_x&n=%20~;'\"[]{}|\\`<>,*()") + enter())
write("repeats.bin", typed("AAB") + enter() + typed("0011") + enter())
# Every report sent three times, as some scanners do at a slow polling interval.
write("repeated_reports.bin",
      b"".join(typed("AAB0011")[i:i + 8] * 3 for i in range(0, len(typed("AAB0011")), 8))
      + enter() * 2)
# Release reports lost: [a][a,b] and [c][d] still type both keys; [e][e] is one e; a usage
# listed twice in one report ([x,x]) is one x.
write("lost_release.bin",
      rep(0, 0x04) + rep(0, 0x04, 0x05) + RELEASE + enter()
      + rep(0, 0x06) + rep(0, 0x07) + RELEASE + enter()
      + rep(0, 0x08) + rep(0, 0x08) + RELEASE + enter()
      + rep(LSHIFT, 0x09) + rep(LSHIFT, 0x0A) + rep(0, 0x0A, 0x0B) + RELEASE + enter()
      + rep(0, 0x1B, 0x1B) + RELEASE + enter())
# Left shift, right shift, both, and shift sent as a usage in a key slot (0xE1 / 0xE5).
write("shifts.bin",
      typed("He", LSHIFT) + typed("Wo", RSHIFT) + key(0x1E, LSHIFT | RSHIFT)
      + key(0x1F, RSHIFT) + rep(0, 0xE1, 0x16) + RELEASE + rep(0, 0x17, 0xE5) + RELEASE + enter())
# Caps lock on: letters upper case, shift inverts, digits unaffected; caps lock off again.
write("capslock.bin",
      key(CAPS) + typed("abc") + key(0x04, LSHIFT) + typed("1!") + key(CAPS) + typed("dE")
      + enter())
write("tab.bin", typed("AB12") + key(TAB) + typed("CD") + enter())
write("keypad.bin",
      b"".join(key(KEYPAD[c]) for c in "0123456789/*-+.") + key(KEYPAD['5'], LSHIFT)
      + key(KP_ENTER))
write("mealcard.bin", typed("0012345678") + enter())
write("mealcard_spaces.bin", typed("  04a1B2c3 ") + enter())
write("stray_enter.bin", enter() + key(KP_ENTER) + typed("0012345678") + enter() + typed("   ")
      + enter())
write("overlong.bin", typed("x" * 600) + enter() + typed("GOOD") + enter())
# Error rollover between reports: keys held through it are not typed twice, new ones count.
ERR = rep(LSHIFT, *[ROLLOVER] * 6)
write("rollover.bin",
      rep(LSHIFT, 0x04) + ERR + rep(LSHIFT, 0x04, 0x05) + RELEASE + key(0x06)
      + rep(0, 0x07) + rep(0, *[ROLLOVER] * 6) + rep(0, 0x07) + RELEASE + enter())
# Shortcuts and keys with no character typed around "a1".
write("noise.bin",
      key(0x06, LCTRL) + key(0x04) + key(0x1B, LALT) + key(0x15, LGUI) + key(F1) + key(RIGHT)
      + key(ESC) + key(BACKSPACE) + key(0x1E) + key(0x06, RCTRL | LSHIFT) + key(ENTER, LCTRL)
      + enter())
write("noterm.bin", typed("ABC"))
write("partial.bin", typed("OK") + enter() + rep(LSHIFT, 0x04)[:3])
