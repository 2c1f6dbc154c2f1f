#!/usr/bin/env python3
"""Writes the GA 467 reader byte streams used by tests/hal/test_ga467.c and the fuzz seed corpus.

Run once from anywhere (python3 tests/hal/data/ga467/make.py); the .bin files are committed, so
the tests never need Python. Every stream is what a SAM reader sends back to the host: frames
AA AA AA 96 69, a big-endian length (status, data and checksum), SW1 SW2 SW3, data, XOR
checksum over length..data. The photo is 1024 bytes of seeded noise: real photos are wlt-coded
and the decoder never looks at them. Deterministic: the same files every run.
"""

import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "..", "fuzz", "corpus", "ga467")

PREAMBLE = bytes([0xAA, 0xAA, 0xAA, 0x96, 0x69])
OK, FOUND, NO_CARD, READ_FAILED = 0x90, 0x9F, 0x80, 0x41
TEXT_LEN, PHOTO_LEN = 256, 1024

# Every failure status the decoder knows, and one it does not (0x55); test_ga467.c's table
# lists the same codes in the same order.
STATUSES = [0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80,
            0x81, 0x91, 0x55]

rng = random.Random(467)


def noise(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def xor(data):
    x = 0
    for b in data:
        x ^= b
    return x


def reply(sw3, data=b"", sw1=0, sw2=0):
    body = bytes([sw1, sw2, sw3]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


def check_char(body17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]


def field(text, size):
    raw = text if isinstance(text, bytes) else text.encode("utf-16-le")
    assert len(raw) <= size, (text, len(raw), size)
    return raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)


def text_block(name, sex, nation, birth, address, idnum, authority, valid_from, valid_to,
               card_type=" "):
    block = (field(name, 30) + field(sex, 2) + field(nation, 4) + field(birth, 16) +
             field(address, 70) + field(idnum, 36) + field(authority, 30) +
             field(valid_from, 16) + field(valid_to, 16))
    reserved = field("", 28) + field(card_type, 2) + field("", 6)
    block += reserved
    assert len(block) == TEXT_LEN
    return block


def base_info(text, photo=None, text_len=TEXT_LEN, photo_len=None):
    photo = noise(PHOTO_LEN) if photo is None else photo
    photo_len = len(photo) if photo_len is None else photo_len
    data = text_len.to_bytes(2, "big") + photo_len.to_bytes(2, "big") + text + photo
    frame = reply(OK, data)
    # A preamble inside the photo would make the resync tests depend on luck.
    assert PREAMBLE not in frame[1:], "photo noise holds a preamble"
    return frame


ZHANG_ID = "32020219460501123"
ZHANG_ID += check_char(ZHANG_ID)
ZHANG = dict(name="张三华", sex="1", nation="01", birth="19460501",
             address="江苏省无锡市梁溪区崇安寺街道中山路168号2幢301室", idnum=ZHANG_ID,
             authority="无锡市公安局梁溪分局", valid_from="20160501", valid_to="长期")

# 𠮷 (U+20BB7) is outside the BMP: a surrogate pair on the card. Her address fills all 35
# characters of its field.
ZHENG_ID = "32021119680212042"
ZHENG_ID += check_char(ZHENG_ID)
ZHENG = dict(name="郑𠮷英", sex="2", nation="03", birth="19680212",
             address="江苏省无锡市滨湖区蠡湖街道湖滨路1888号蠡湖家园十二幢甲单元302室", idnum=ZHENG_ID,
             authority="无锡市公安局滨湖分局", valid_from="20120315", valid_to="20320315")
assert len(ZHENG["address"]) == 35, len(ZHENG["address"])


def card(**changes):
    fields = dict(ZHANG)
    fields.update(changes)
    return text_block(**fields)


FIND_OK = reply(FOUND, bytes(4))
SELECT_OK = reply(OK, bytes(8))
NO_CARD_REPLY = reply(NO_CARD)
ZHANG_BASE = base_info(card())
READ_ZHANG = FIND_OK + SELECT_OK + ZHANG_BASE


def write(name, data, corpus_plans=()):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    # Fuzz seeds: the fuzzer's first byte chooses how the rest is split into chunks.
    for plan in corpus_plans:
        stem = os.path.splitext(name)[0]
        with open(os.path.join(CORPUS, "%s_%02x" % (stem, plan)), "wb") as f:
            f.write(bytes([plan]) + data)


def main():
    os.makedirs(CORPUS, exist_ok=True)
    write("find_ok.bin", FIND_OK)
    write("select_ok.bin", SELECT_OK)
    write("no_card.bin", NO_CARD_REPLY)
    write("read_zhangsanhua.bin", READ_ZHANG, (0x00, 0x01, 0x4A, 0x83))

    zheng_base = base_info(text_block(**ZHENG))
    write("read_rare_name.bin", FIND_OK + SELECT_OK + zheng_base, (0x02,))

    # A lone high surrogate in the name (a damaged card or a reader bug): U+FFFD, not a crash.
    # The name is padded with NULs, as some readers do, instead of spaces.
    lone = "李".encode("utf-16-le") + b"\x42\xd8" + "明".encode("utf-16-le")
    lone += bytes(30 - len(lone))
    write("lone_surrogate.bin", base_info(card(name=lone)))

    # Line noise and preamble fragments before the frames.
    junk = (noise(37) + b"\xaa\xaa" + noise(11) + b"\xaa\xaa\xaa\x96" + noise(5) +
            b"\xaa\xaa\xaa" + noise(19) + b"\xaa")
    assert PREAMBLE not in junk
    write("noise_then_read.bin", junk + READ_ZHANG, (0x00, 0x07))

    # One photo byte flipped: the checksum fails; the same card follows intact.
    bad = bytearray(ZHANG_BASE)
    bad[600] ^= 0x5A
    write("bad_checksum_then_read.bin", bytes(bad) + READ_ZHANG, (0x00, 0x05))

    # A reply cut off after 600 bytes (the card was lifted mid-transfer), then a full read: the
    # cut reply's length swallows the start of the next frames, its checksum fails, and the
    # decoder resyncs right after the cut reply's preamble.
    stream = ZHANG_BASE[:600] + READ_ZHANG
    assert xor(stream[5:len(ZHANG_BASE) - 1]) != stream[len(ZHANG_BASE) - 1]
    write("truncated_then_read.bin", stream, (0x00, 0x0B))

    # A reply cut short, then a short reply: only a flush (reply timeout) gets past it.
    write("truncated_then_no_card.bin", ZHANG_BASE[:300] + NO_CARD_REPLY, (0x00,))

    # Lengths no reply can have: 0, 1, 3 (shorter than status and checksum), one past the
    # longest reply (0x090B = 2315), 0xFFFF. Each is followed by a byte of noise.
    bad_lengths = b"".join(PREAMBLE + n.to_bytes(2, "big") + b"\x01"
                           for n in (0x0000, 0x0001, 0x0003, 0x090B, 0xFFFF))
    write("bad_lengths_then_read.bin", bad_lengths + READ_ZHANG, (0x00, 0x03))

    write("statuses.bin", b"".join(reply(sw3) for sw3 in STATUSES), (0x00,))

    # Nation codes 01..56, 97, 98, then 99 (unknown: kept as is) and blank; photo-less replies.
    nations = ["%02d" % n for n in range(1, 57)] + ["97", "98", "99", ""]
    write("nations.bin", b"".join(base_info(card(nation=n), photo=b"") for n in nations))

    # Sex codes 0, 1, 2, 9, then 5 (unknown: kept as is).
    write("sexes.bin", b"".join(base_info(card(sex=s), photo=b"") for s in "01295"))

    # Base-info replies that pass the checksum but cannot be a person; test_ga467.c's table
    # lists the expected message of each, in this order.
    bad_text = [
        base_info(card(), text_len=255),                       # lengths do not add up
        base_info(card(), photo_len=1000),                     # nor here
        base_info(card(card_type="I")),                        # foreign permanent resident
        base_info(card(name="")),                              # no name
        base_info(card(idnum=ZHANG_ID[:17])),                  # 17 characters
        base_info(card(idnum=ZHANG_ID[:17] + "Y")),            # bad check character
        base_info(card(idnum="3202021946O501123X")),           # a letter O among the digits
        base_info(card(birth="19460231")),                     # 31 February
        base_info(card(valid_from="2016-5-1")),                # not YYYYMMDD
        base_info(card(valid_to="永久")),                      # neither a date nor 长期
    ]
    write("bad_text.bin", b"".join(bad_text), (0x00,))

    # The reader's side of a polling session, in the order test_ga467.c drives it: idle polls,
    # a card read, the card left on the reader (find still succeeds), lifted, presented again.
    session = [NO_CARD_REPLY, NO_CARD_REPLY, FIND_OK, SELECT_OK, ZHANG_BASE, FIND_OK, FIND_OK,
               NO_CARD_REPLY, FIND_OK, SELECT_OK, base_info(card())]
    write("session.bin", b"".join(session), (0x00, 0x02))

    # The host's side: find, select and read base info, as hal_ga467_command must build them.
    commands = b"".join(PREAMBLE + b"\x00\x03" + bytes([c, p, xor(b"\x00\x03" + bytes([c, p]))])
                        for c, p in ((0x20, 0x01), (0x20, 0x02), (0x30, 0x01)))
    write("commands.bin", commands)


if __name__ == "__main__":
    main()
