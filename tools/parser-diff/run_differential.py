#!/usr/bin/env python3
"""Differential test: nodecc's HTTP/1.1 request parser against Node's own llhttp.

Feeds the conformance corpus (whole, one byte per read, random splits) and N
seeded random mutations of it (insert / delete / flip / duplicate / split) to
parser_diff_driver (nodecc) and node_transcript.js (Node's
require('_http_common').HTTPParser) and compares their framing transcripts:
method, url, version, headers, body bytes, message boundaries, keep-alive,
upgrade, error code or not, finish().

Three comparisons per input:
  strict  nodecc ParserOptions::nodeStrict()  vs Node default   -> must be identical
  lenient nodecc ParserOptions::insecure()    vs Node insecure  -> must be identical
  rfc     nodecc default (RFC 9112 choices)   vs Node default   -> identical, or stricter
          in a way listed in ALLOWED_RFC_ERRORS
          (docs/CONFORMANCE.md)

Exit 0 on success, 1 on a difference, 77 when node is not installed (ctest SKIP).
Python 3 standard library only.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "tests", "conformance", "corpus.json")

# nodecc's deliberate, RFC-justified rejections of input Node accepts
# (docs/CONFORMANCE.md has the RFC section for each).
ALLOWED_RFC_ERRORS = {
    ("HPE_STRICT", "Expected LF after CR"),                      # bare CR before the request line
    ("HPE_INVALID_METHOD", "Invalid method encountered"),        # RTSP-only methods
    ("HPE_INVALID_URL", "Unexpected start char in url"),         # more than one SP after the method
    ("HPE_INVALID_URL", "Asterisk-form is only valid for OPTIONS"),  # (and M-SEARCH, PRI)
    ("HPE_INVALID_URL", "Invalid char in url path"),             # non-RFC 3986 chars, '#', "*x"
    ("HPE_INVALID_URL", "Invalid char in url query"),
    ("HPE_INVALID_URL", "Userinfo in url is not allowed"),
    ("HPE_INVALID_URL", "Empty host in url"),
    ("HPE_INVALID_URL", "CONNECT target must be authority-form"),
    ("HPE_INVALID_CONSTANT", "Expected HTTP/"),                  # RTSP/ICE lines, extra SP before version
    ("HPE_INVALID_VERSION", "Invalid HTTP version"),             # HTTP/2.0 outside the h2 preface
    ("HPE_INVALID_TRANSFER_ENCODING", "Transfer-Encoding in an HTTP/1.0 request"),  # §6.1
}


def run(cmd, lines):
    proc = subprocess.run(cmd, input="".join(lines), capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit("command failed: %s" % " ".join(cmd))
    out = {}
    for line in proc.stdout.split("\n"):  # not splitlines(): U+0085/U+2028 occur in the data
        if line:
            row = json.loads(line)
            out[row[0]] = row[1:]
    return out


def line_for(case_id, mode, data, splits):
    return "%s\t%s\t%s\t%s\n" % (case_id, mode, data.hex(), ",".join(map(str, splits)))


def strip_reasons(events):
    return [e[:2] if e and e[0] == "error" else e for e in events]


def rfc_difference_allowed(ours, node):
    """ours (rfc mode) may stop earlier with an allowed error."""
    for i, (a, b) in enumerate(zip(ours, node)):
        if a == b:
            continue
        if a[0] == "error" and (a[1], a[2]) in ALLOWED_RFC_ERRORS:
            return True
        return False
    if len(ours) < len(node) and ours and ours[-1][0] == "error":
        return (ours[-1][1], ours[-1][2]) in ALLOWED_RFC_ERRORS
    return False


MUTATION_BYTES = b"\r\n \t:;,=\"\\/?#@*0123456789aAfFzZ-\x00\x01\x7f\x80\xff"
MUTATION_WORDS = [b"\r\n", b"\r\n\r\n", b"chunked", b"Content-Length: 5\r\n",
                  b"Transfer-Encoding: chunked\r\n", b"Connection: close\r\n",
                  b"Connection: keep-alive\r\n", b"Upgrade: x\r\nConnection: upgrade\r\n",
                  b"HTTP/1.0", b"HTTP/1.1", b"0\r\n\r\n", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                  b" HTTP/1.1\r\n", b";ext=1"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["insert", "delete", "flip", "word", "duplicate"])
        pos = rng.randint(0, len(data))
        if op == "insert":
            data[pos:pos] = bytes([rng.choice(MUTATION_BYTES)])
        elif op == "delete" and data:
            del data[pos:pos + rng.randint(1, 4)]
        elif op == "flip" and data:
            pos = min(pos, len(data) - 1)
            data[pos] = rng.choice(MUTATION_BYTES) if rng.random() < 0.7 else rng.randrange(256)
        elif op == "word":
            data[pos:pos] = rng.choice(MUTATION_WORDS)
        elif op == "duplicate" and data:
            end = min(len(data), pos + rng.randint(1, 40))
            data[pos:pos] = data[pos:end]
    return bytes(data)


def random_splits(rng, length):
    if length < 2:
        return []
    return sorted(set(rng.randint(1, length - 1) for _ in range(rng.randint(1, 4))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver", required=True, help="path to parser_diff_driver")
    ap.add_argument("--node", default="node")
    ap.add_argument("--mutations", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reasons", action="store_true", help="also require identical error reasons")
    ap.add_argument("--show", type=int, default=10, help="differences to print")
    args = ap.parse_args()

    if shutil.which(args.node) is None:
        print("SKIP: node is not installed")
        return 77

    cases = json.load(open(CORPUS, encoding="utf-8"))["cases"]
    rng = random.Random(args.seed)
    inputs = []  # (id, data, splits)
    for case in cases:
        data = case["raw"].encode("latin-1")
        inputs.append((case["id"], data, []))
        inputs.append((case["id"] + "/bytewise", data, list(range(1, len(data)))))
        inputs.append((case["id"] + "/split", data, random_splits(rng, len(data))))
    for i in range(args.mutations):
        base = rng.choice(cases)["raw"].encode("latin-1")
        data = mutate(rng, base)
        inputs.append(("mutation-%d" % i, data, random_splits(rng, len(data)) if rng.random() < 0.5 else []))

    node_lines, ours_lines = [], []
    for case_id, data, splits in inputs:
        for mode in ("strict", "lenient"):
            node_lines.append(line_for(case_id + "#" + mode, mode, data, splits))
            ours_lines.append(line_for(case_id + "#" + mode, mode, data, splits))
        ours_lines.append(line_for(case_id + "#rfc", "rfc", data, splits))

    node = run([args.node, os.path.join(HERE, "node_transcript.js")], node_lines)
    ours = run([args.driver], ours_lines)

    failures, reason_diffs, rfc_stricter = [], 0, 0
    for case_id, data, splits in inputs:
        for mode in ("strict", "lenient", "rfc"):
            key = case_id + "#" + mode
            expected = node[case_id + "#" + ("lenient" if mode == "lenient" else "strict")]
            got = ours[key]
            if mode == "rfc":
                if strip_reasons(got) == strip_reasons(expected):
                    continue
                if rfc_difference_allowed(got, expected):
                    rfc_stricter += 1
                    continue
                failures.append((key, data, splits, got, expected))
                continue
            if got == expected:
                continue
            if strip_reasons(got) == strip_reasons(expected):
                reason_diffs += 1
                if not args.reasons:
                    continue
            failures.append((key, data, splits, got, expected))

    total = len(inputs) * 3
    print("parser differential: %d inputs (%d corpus cases x 3 splittings + %d mutations), "
          "%d comparisons" % (len(inputs), len(cases), args.mutations, total))
    print("  rfc-mode stricter answers (allow-listed): %d" % rfc_stricter)
    print("  same framing, different error reason: %d" % reason_diffs)
    for key, data, splits, got, expected in failures[:args.show]:
        print("DIFF %s\n  input:  %r\n  splits: %s\n  nodecc: %s\n  node:   %s" % (
            key, data[:300], splits[:20], json.dumps(got)[:600], json.dumps(expected)[:600]))
    print("  differences: %d" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
