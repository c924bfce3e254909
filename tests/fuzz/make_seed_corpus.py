#!/usr/bin/env python3
"""Writes the conformance cases as a seed corpus for a fuzz target.

fuzz_parser (the default): mode byte (0 = nodecc default, 1 = insecure, 2 = Node-exact),
two split-seed bytes, then the case's raw bytes (tests/fuzz/parser.cpp).

fuzz_server: a script prefix (server flags, counts, handler behaviours, ops; see
tests/fuzz/server.cpp), then the case's raw bytes. Each case is written with a few
scripts: synchronous answers in one write, later answers with cuts, streaming answers
with a half-close.

    python3 tests/fuzz/make_seed_corpus.py build-fuzz/parser-seeds
    python3 tests/fuzz/make_seed_corpus.py --target fuzz_server build-fuzz/server-seeds
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "conformance", "corpus.json")


def parser_seeds(index, raw):
    for mode in (0, 1, 2):
        yield bytes([mode, index & 0xFF, (index >> 8) & 0xFF]) + raw


def behaviour(timing, read, shape, destroy=0, when=0, close=False, trailers=False, big=False,
              extra=0):
    a = timing | (read << 3) | (shape << 5)
    b = destroy | (when << 3) | (0x20 if close else 0) | (0x40 if trailers else 0)
    return bytes([a, b | (0x80 if big else 0), extra])


def script(flags, behaviours, cuts, dribble=False):
    counts = (len(behaviours) - 1) | (len(cuts) << 2) | (0x20 if dribble else 0)
    out = bytes([flags, counts])
    for b in behaviours:
        out += b
    for kind, position in cuts:
        out += bytes([kind, position])
    return out


def server_seeds(index, raw):
    # Answer at once, body read, one write.
    yield script(0, [behaviour(0, 1, 0)], []) + raw
    # Answers on the next tick / setImmediate / setTimeout(0), cut in three, half-close.
    timing = 1 + index % 3
    yield script(0x04, [behaviour(timing, 3, 2, trailers=True, extra=index % 8),
                        behaviour(4, 1, 3)],
                 [(1, 85), (0, 170), (2, 255)]) + raw
    # Streaming answers, small high-water marks, dribbled head, destroy on finish, the
    # client not reading for a while, then server.close().
    yield script(0x18, [behaviour(6, 2, 1, destroy=index % 8, when=3),
                        behaviour(7, 1, 2, big=True, extra=(index + 3) % 8)],
                 [(4, 0), (1, 128), (5, 200), (7, 255)], dribble=True) + raw


def pipelined_seeds(cases):
    # Two and three requests back to back (kept small): answers backed up behind a slow one,
    # the client not reading, small buffers.
    raws = [c["raw"].encode("latin-1") for c in cases]
    small = [r for r in raws if len(r) < 1024]
    for i in range(0, len(small) - 2, 3):
        stream = small[i] + small[i + 1] + small[i + 2]
        yield script(0x10 | (i & 0x0F), [behaviour(5 if i % 2 else 2, 1, 0, big=True),
                                          behaviour(0, 0, 2, big=True),
                                          behaviour(3, 3, 0, extra=i % 8)],
                     [(4, 0), (1, 128), (5, 255)]) + stream


def body_seeds():
    # Bodies over the high-water marks: a request nobody reads stops the socket.
    body = b"b" * 20000
    length = b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n" + body
    chunks = b"".join(b"%x\r\n" % 8000 + b"c" * 8000 + b"\r\n" for _ in range(3))
    chunked = (b"POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
               chunks + b"0\r\nX-T: 1\r\n\r\n")
    get = b"GET /after HTTP/1.1\r\nHost: x\r\n\r\n"
    for flags in (0x00, 0x10, 0x90):
        for read in range(4):
            for stream in (length + get, chunked + get):
                yield script(flags, [behaviour(4, read, 0), behaviour(read, 1, 2, big=True)],
                             [(0, 40), (8, 128), (1, 200), (9 if read == 3 else 1, 255)]) + stream


def main():
    args = sys.argv[1:]
    target = "fuzz_parser"
    if len(args) == 3 and args[0] == "--target":
        target = args[1]
        args = args[2:]
    if len(args) != 1 or target not in ("fuzz_parser", "fuzz_server"):
        sys.exit("usage: make_seed_corpus.py [--target fuzz_parser|fuzz_server] OUTPUT_DIR")
    out = args[0]
    os.makedirs(out, exist_ok=True)
    cases = json.load(open(CORPUS, encoding="utf-8"))["cases"]
    seeds = parser_seeds if target == "fuzz_parser" else server_seeds
    written = 0
    for index, case in enumerate(cases):
        raw = case["raw"].encode("latin-1")
        for blob in seeds(index, raw):
            name = hashlib.sha1(blob).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(blob)
            written += 1
    if target == "fuzz_server":
        for blob in list(pipelined_seeds(cases)) + list(body_seeds()):
            name = hashlib.sha1(blob).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(blob)
            written += 1
    print("wrote %d seeds to %s" % (written, out))


if __name__ == "__main__":
    main()
