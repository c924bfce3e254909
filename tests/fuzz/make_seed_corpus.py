#!/usr/bin/env python3
"""Writes the conformance cases as a seed corpus for fuzz_parser.

Each file is: mode byte (0 = nodecc default, 1 = insecure, 2 = Node-exact),
two split-seed bytes, then the case's raw bytes (tests/fuzz/parser.cpp).

    python3 tests/fuzz/make_seed_corpus.py build-fuzz/parser-seeds
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(os.path.dirname(HERE), "conformance", "corpus.json")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seed_corpus.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    cases = json.load(open(CORPUS, encoding="utf-8"))["cases"]
    written = 0
    for index, case in enumerate(cases):
        raw = case["raw"].encode("latin-1")
        for mode in (0, 1, 2):
            blob = bytes([mode, index & 0xFF, (index >> 8) & 0xFF]) + raw
            name = hashlib.sha1(blob).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(blob)
            written += 1
    print("wrote %d seeds to %s" % (written, out))


if __name__ == "__main__":
    main()
