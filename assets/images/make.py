#!/usr/bin/env python3
"""Draws the kiosk's pictures (assets/images/*.png): calm, flat, no words in them.

    idle.png        an ID card going onto the reader, or a phone's QR code to the scanner
    card_again.png  lift the card and put it on the reader again
    done.png        a tick: paid

Python's standard library only (zlib for PNG), so anyone can change a colour and run it again:
    python3 assets/images/make.py
Shapes are signed-distance functions sampled once per pixel with a one-pixel soft edge, which
anti-aliases them without a drawing library. The output is byte-for-byte the same on every run.
"""
import math
import os
import random
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

BLUE = (0x2F, 0x6F, 0xB0)
CARD = (0xE3, 0xEE, 0xF9)
CARD_EDGE = (0x2F, 0x6F, 0xB0)
INK = (0x1B, 0x1B, 0x1B)
GREY_BAR = (0x9A, 0xAE, 0xC4)
PHOTO = (0xC6, 0xD7, 0xEA)
PLATE = (0xD9, 0xD2, 0xC3)
PLATE_EDGE = (0x8A, 0x80, 0x6E)
PHONE = (0x2B, 0x2B, 0x2B)
WHITE = (0xFF, 0xFF, 0xFF)
GREEN = (0x2E, 0x7D, 0x32)


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = [[0.0, 0.0, 0.0, 0.0] for _ in range(w * h)]  # premultiplied RGBA, 0..1

    def shape(self, sdf, box, color, alpha=1.0):
        """Paints where sdf(x, y) < 0 (pixel centres), soft over one pixel."""
        x0, y0, x1, y1 = (int(max(0, math.floor(box[0] - 1))), int(max(0, math.floor(box[1] - 1))),
                          int(min(self.w, math.ceil(box[2] + 1))), int(min(self.h, math.ceil(box[3] + 1))))
        r, g, b = (c / 255.0 for c in color)
        for y in range(y0, y1):
            row = y * self.w
            for x in range(x0, x1):
                d = sdf(x + 0.5, y + 0.5)
                if d >= 0.5:
                    continue
                a = alpha * (1.0 if d <= -0.5 else 0.5 - d)
                p = self.px[row + x]
                p[0] = r * a + p[0] * (1 - a)
                p[1] = g * a + p[1] * (1 - a)
                p[2] = b * a + p[2] * (1 - a)
                p[3] = a + p[3] * (1 - a)

    def save(self, name, margin=8):
        """Writes the PNG cropped to what was drawn (plus a margin): the kiosk fits pictures by
        their size, and empty borders would only make the drawing smaller."""
        xs = [i % self.w for i, p in enumerate(self.px) if p[3] > 0]
        ys = [i // self.w for i, p in enumerate(self.px) if p[3] > 0]
        x0, x1 = max(0, min(xs) - margin), min(self.w, max(xs) + 1 + margin)
        y0, y1 = max(0, min(ys) - margin), min(self.h, max(ys) + 1 + margin)
        w, h = x1 - x0, y1 - y0
        raw = bytearray()
        for y in range(y0, y1):
            raw.append(0)
            for x in range(x0, x1):
                r, g, b, a = self.px[y * self.w + x]
                if a > 0:
                    r, g, b = r / a, g / a, b / a
                raw += bytes(int(round(min(1.0, v) * 255)) for v in (r, g, b, a))

        def chunk(kind, data):
            c = struct.pack(">I", len(data)) + kind + data
            return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        png = b"\x89PNG\r\n\x1a\n"
        png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        png += chunk(b"IEND", b"")
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(png)


def rrect(x, y, w, h, r):
    cx, cy, hx, hy = x + w / 2, y + h / 2, w / 2 - r, h / 2 - r

    def f(px, py):
        qx, qy = abs(px - cx) - hx, abs(py - cy) - hy
        outside = math.hypot(max(qx, 0), max(qy, 0))
        return outside + min(max(qx, qy), 0) - r
    return f, (x, y, x + w, y + h)


def circle(cx, cy, r):
    return (lambda px, py: math.hypot(px - cx, py - cy) - r), (cx - r, cy - r, cx + r, cy + r)


def ring(cx, cy, r, width):
    return (lambda px, py: abs(math.hypot(px - cx, py - cy) - r) - width / 2), \
        (cx - r - width, cy - r - width, cx + r + width, cy + r + width)


def segment(ax, ay, bx, by, width):
    """A thick line with round ends."""
    def f(px, py):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        return math.hypot(px - ax - t * dx, py - ay - t * dy) - width / 2
    return f, (min(ax, bx) - width, min(ay, by) - width, max(ax, bx) + width, max(ay, by) + width)


def triangle(p0, p1, p2):
    pts = (p0, p1, p2)

    def f(px, py):
        d = float("inf")
        inside = True
        for i in range(3):
            (ax, ay), (bx, by) = pts[i], pts[(i + 1) % 3]
            ex, ey = bx - ax, by - ay
            t = max(0.0, min(1.0, ((px - ax) * ex + (py - ay) * ey) / (ex * ex + ey * ey)))
            d = min(d, math.hypot(px - ax - t * ex, py - ay - t * ey))
            if ex * (py - ay) - ey * (px - ax) < 0:
                inside = False
        return -d if inside else d
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return f, (min(xs), min(ys), max(xs), max(ys))


def arrow_down(c, x, y0, y1, width, color):
    head = width * 2.2
    c.shape(*segment(x, y0, x, y1 - head * 0.6, width), color)
    c.shape(*triangle((x - head, y1 - head), (x + head, y1 - head), (x, y1)), color)


def arrow_up(c, x, y0, y1, width, color):
    head = width * 2.2
    c.shape(*segment(x, y0, x, y1 + head * 0.6, width), color)
    c.shape(*triangle((x - head, y1 + head), (x + head, y1 + head), (x, y1)), color)


def id_card(c, x, y, w):
    h = w * 0.63  # ID-1 card proportions
    c.shape(*rrect(x, y, w, h, w * 0.06), CARD_EDGE)
    c.shape(*rrect(x + 5, y + 5, w - 10, h - 10, w * 0.06 - 5), CARD)
    c.shape(*rrect(x + w * 0.66, y + h * 0.16, w * 0.26, h * 0.56, 8), PHOTO)
    c.shape(*circle(x + w * 0.79, y + h * 0.36, w * 0.06), GREY_BAR)
    c.shape(*rrect(x + w * 0.71, y + h * 0.48, w * 0.16, h * 0.22, w * 0.06), GREY_BAR)
    for i, frac in enumerate((0.42, 0.50, 0.36, 0.50)):
        c.shape(*rrect(x + w * 0.08, y + h * (0.18 + i * 0.14), w * frac, h * 0.065, h * 0.03), GREY_BAR)
    c.shape(*rrect(x + w * 0.08, y + h * 0.80, w * 0.84, h * 0.07, h * 0.035), GREY_BAR)
    return h


def reader(c, x, y, w, h):
    c.shape(*rrect(x, y, w, h, h * 0.3), PLATE_EDGE)
    c.shape(*rrect(x + 4, y + 4, w - 8, h - 8, h * 0.3 - 4), PLATE)
    # radio waves: the card is read without touching metal
    cx, cy = x + w / 2, y + h / 2
    for r in (h * 0.12, h * 0.24):
        c.shape(*ring(cx, cy, r, 5), PLATE_EDGE)


def fake_qr(c, x, y, size, seed):
    n = 21
    m = max(1, int(size // n))  # whole pixels a module: no seams between neighbours
    x, y = int(round(x + (size - m * n) / 2)), int(round(y + (size - m * n) / 2))
    rnd = random.Random(seed)
    finder = [(0, 0), (n - 7, 0), (0, n - 7)]

    def in_finder(i, j):
        return any(fx <= i < fx + 7 and fy <= j < fy + 7 for fx, fy in finder)
    for fx, fy in finder:
        c.shape(*rrect(x + fx * m, y + fy * m, 7 * m, 7 * m, 0.5), INK)
        c.shape(*rrect(x + (fx + 1) * m, y + (fy + 1) * m, 5 * m, 5 * m, 0.5), WHITE)
        c.shape(*rrect(x + (fx + 2) * m, y + (fy + 2) * m, 3 * m, 3 * m, 0.5), INK)
    for j in range(n):
        for i in range(n):
            if not in_finder(i, j) and rnd.random() < 0.5:
                c.shape(*rrect(x + i * m, y + j * m, m, m, 0.0), INK)


def phone(c, x, y, w):
    h = w * 1.9
    c.shape(*rrect(x, y, w, h, w * 0.14), PHONE)
    sx, sy, sw, sh = x + w * 0.08, y + w * 0.2, w * 0.84, h - w * 0.4
    c.shape(*rrect(sx, sy, sw, sh, w * 0.04), WHITE)
    q = sw * 0.8
    fake_qr(c, sx + (sw - q) / 2, sy + (sh - q) / 2, q, 7)
    return h


def scanner(c, x, y, w, h):
    c.shape(*rrect(x, y, w, h, h * 0.3), PLATE_EDGE)
    c.shape(*rrect(x + 4, y + 4, w - 8, h - 8, h * 0.3 - 4), PLATE)
    c.shape(*rrect(x + w * 0.2, y + h * 0.32, w * 0.6, h * 0.36, h * 0.15), PHONE)  # the window


def idle():
    c = Canvas(1200, 600)
    # left: the card goes down onto the reader
    id_card(c, 70, 40, 400)
    arrow_down(c, 270, 320, 420, 18, BLUE)
    reader(c, 80, 440, 380, 130)
    # a quiet rule between the two ways: either one will do
    c.shape(*segment(600, 110, 600, 490, 6), PLATE_EDGE)
    # right: the phone's code goes to the scanner
    phone(c, 785, 20, 170)
    arrow_down(c, 870, 365, 450, 18, BLUE)
    scanner(c, 730, 465, 280, 105)
    c.save("idle.png")


def card_again():
    c = Canvas(800, 600)
    id_card(c, 200, 20, 400)
    # lift it, then put it back
    arrow_up(c, 330, 430, 290, 18, BLUE)
    arrow_down(c, 470, 290, 430, 18, BLUE)
    reader(c, 210, 450, 380, 130)
    c.save("card_again.png")


def done():
    c = Canvas(560, 560)
    c.shape(*circle(280, 280, 260), GREEN)
    c.shape(*segment(160, 290, 245, 375, 48), WHITE)
    c.shape(*segment(245, 375, 410, 195, 48), WHITE)
    c.save("done.png")


if __name__ == "__main__":
    idle()
    card_again()
    done()
