#!/usr/bin/env python3
"""Differential test: nodecc's HTTP/1.1 request parser against Node's own llhttp.

Feeds the conformance corpus (whole, one byte per read, random splits) and N
seeded random mutations of it (insert / delete / flip / duplicate / split) to
parser_diff_driver (nodecc) and node_transcript.js (Node's
require('_http_common').HTTPParser) and compares their framing transcripts:
method, url, version, headers, body bytes, message boundaries, keep-alive,
upgrade, error code or not and its position (Node's err.bytesParsed: llhttp's
error position in the read that failed), finish().

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
    """The events without error reasons (code and position stay)."""
    return [e[:2] + e[3:] if e and e[0] == "error" else e for e in events]


def rfc_difference_allowed(ours, node):
    """ours (rfc mode) may stop earlier with an allowed error."""
    for i, (a, b) in enumerate(zip(ours, node)):
        if a == b:
            continue
        if a[0] == "error" and b[0] == "error" and a[1:3] == b[1:3] and a[3] >= b[3]:
            return False  # the same error at the same place or later is not "stricter"
        if a[0] == "error" and (a[1], a[2]) in ALLOWED_RFC_ERRORS:
            return True
        return False
    if len(ours) < len(node) and ours and ours[-1][0] == "error":
        return (ours[-1][1], ours[-1][2]) in ALLOWED_RFC_ERRORS
    return False


# One input per error site of the parser (llhttp's error nodes), so that every error's
# code, reason and position (Node's err.bytesParsed) is compared, not only those the
# mutations happen to reach. Run whole, one byte per read and split at random.
ERROR_PROBES = [
    b'GARBAGE\r\n\r\n',
    b'FOO / HTTP/1.1\r\n',
    b'GETX / HTTP/1.1\r\n',
    b'GET_X / HTTP/1.1\r\n',
    b'get / HTTP/1.1\r\n',
    b' / HTTP/1.1\r\n',
    b'GET\t/ HTTP/1.1\r\n',
    b'XXXXXXXXXXXXXXXXXXXXXXX / HTTP/1.1\r\n',
    b'GET_PARAMETERX / HTTP/1.1\r\n',
    b'\rGET / HTTP/1.1\r\n\r\n',
    b'\rX',
    b'GET  / HTTP/1.1\r\n\r\n',
    b'GET \t/ HTTP/1.1\r\n\r\n',
    b'GET \r',
    b'GET \n',
    b'GET x/ HTTP/1.1\r\n\r\n',
    b'GET ! HTTP/1.1\r\n\r\n',
    b'GET * HTTP/1.1\r\n\r\n',
    b'GET *x HTTP/1.1\r\n\r\n',
    b'OPTIONS * HTTP/1.1\r\n\r\n',
    b'OPTIONS *x HTTP/1.1\r\n\r\n',
    b'GET http:x HTTP/1.1\r\n\r\n',
    b'GET http:/x HTTP/1.1\r\n\r\n',
    b'GET http: HTTP/1.1\r\n\r\n',
    b'GET http:/ HTTP/1.1\r\n\r\n',
    b'GET http:/\t HTTP/1.1\r\n\r\n',
    b'GET http1 HTTP/1.1\r\n\r\n',
    b'GET http\t HTTP/1.1\r\n\r\n',
    b'GET http HTTP/1.1\r\n\r\n',
    b'GET http://a@@b/ HTTP/1.1\r\n\r\n',
    b'GET http://a@b/ HTTP/1.1\r\n\r\n',
    b'GET http:///x HTTP/1.1\r\n\r\n',
    b'GET http://a\tb/ HTTP/1.1\r\n\r\n',
    b'GET http://a"b/ HTTP/1.1\r\n\r\n',
    b'CONNECT a:1/x HTTP/1.1\r\n\r\n',
    b'CONNECT a:1 HTTP/1.1\r\n\r\n',
    b'CONNECT a\t HTTP/1.1\r\n\r\n',
    b'GET /a\x01 HTTP/1.1\r\n\r\n',
    b'GET /a?\x01 HTTP/1.1\r\n\r\n',
    b'GET /a#\x01 HTTP/1.1\r\n\r\n',
    b'GET /a#b#c HTTP/1.1\r\n\r\n',
    b'GET /a"b HTTP/1.1\r\n\r\n',
    b'GET /a\tb HTTP/1.1\r\n\r\n',
    b'GET /a\x0cb HTTP/1.1\r\n\r\n',
    b'GET /a\rX',
    b'GET /a\r\n\r\n',
    b'GET /a\r\n\tX',
    b'GET /a\n\r\n',
    b'GET /a\n\tX',
    b'GET / \tHTTP/1.1\r\n\r\n',
    b'GET /  HTTP/1.1\r\n\r\n',
    b'GET / http/1.1\r\n\r\n',
    b'GET / HTXP/1.1\r\n\r\n',
    b'GET / RTSP/1.0\r\n\r\n',
    b'GET / ICE/1.0\r\n\r\n',
    b'DESCRIBE / HTTP/1.0\r\n\r\n',
    b'DESCRIBE / RTSP/1.0\r\n\r\n',
    b'SOURCE / ICE/1.0\r\n\r\n',
    b'GET / XTTP/1.1\r\n\r\n',
    b'GET / HTTP/x.1\r\n\r\n',
    b'GET / HTTP/1x1\r\n\r\n',
    b'GET / HTTP/1.x\r\n\r\n',
    b'GET / HTTP/1.2\r\n\r\n',
    b'GET / HTTP/3.1\r\n\r\n',
    b'GET / HTTP/2.0\r\n\r\n',
    b'GET / HTTP/1.1x\r\n\r\n',
    b'GET / HTTP/1.1\n\r\n',
    b'GET / HTTP/1.1\rX',
    b'GET / HTTP/1.1 \r\n',
    b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    b'PRI * HTTP/2.0\r\n\r\nSX',
    b'PRI * HTTP/1.1\r\n\r\n',
    b'GET / HTTP/1.1\r\n Host: x\r\n\r\n',
    b'GET / HTTP/1.1\r\n\tHost: x\r\n\r\n',
    b'GET / HTTP/1.1\r\n\n',
    b'GET / HTTP/1.1\r\n\rX',
    b'GET / HTTP/1.1\r\n:a\r\n\r\n',
    b'GET / HTTP/1.1\r\nX\x01: a\r\n\r\n',
    b'GET / HTTP/1.1\r\nX : a\r\n\r\n',
    b'GET / HTTP/1.1\r\nConnection : a\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: a\x01\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: a\n\r\n',
    b'GET / HTTP/1.1\r\nX:\rb',
    b'GET / HTTP/1.1\r\nX:\n',
    b'GET / HTTP/1.1\r\nX:\r\n b\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: a\r\n\r\x00',
    b'GET / HTTP/1.1\r\nContent-Length:\r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: \r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: 1 1\r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: 1\t\r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: 1\r\n b\r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
    b'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n',
    b'GET / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
    b'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n',
    b'GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n',
    b'GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1z\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1; a\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a b\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b c\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a="b\x01"\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a="b\\\x01"\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a="b"x\r\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a="b"\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\rx',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\n',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\rx',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\x00',
    b'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX : y\r\n\r\n',
    b'GET / HTTP/1.1\r\nConnection: close\r\n\r\nX',
    b'GET / HTTP/1.1\r\nConnection: close\r\n\r\n\r\nX',
    b'GET / HTTP/1.0\r\n\r\nX',
]

# Header / chunk-extension overflows: where llhttp reports them depends on which byte
# ended the token (url, name, value, extension) or the read. Whole and split only
# (one byte per read through 17 KB is slow in node).
U = b"u" * 17000  # a token past Node's 16384-byte header limit
CHUNKED = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
NEAR_LIMIT = b"GET /" + b"u" * 16370 + b" HTTP/1.1\r\n"  # 14 header bytes left
OVERFLOW_PROBES = [
    b'GET /' + U + b' HTTP/1.1\r\n\r\n',
    b'GET /' + U,
    b'GET /' + U + b'\r\n\r\n',
    b'GET /' + U + b'\n\r\n',
    b'GET /?' + U + b' HTTP/1.1\r\n\r\n',
    b'GET /#' + U + b' HTTP/1.1\r\n\r\n',
    b'GET http://' + U + b' HTTP/1.1\r\n\r\n',
    b'GET http://' + U + b'/ HTTP/1.1\r\n\r\n',
    b'GET ' + U + b' HTTP/1.1\r\n\r\n',
    b'CONNECT ' + U + b' HTTP/1.1\r\n\r\n',
    b'GET /' + b'u' * 16383 + b' HTTP/1.1\r\n\r\n',
    b'GET /' + b'u' * 16382 + b' HTTP/1.1\r\nX: y\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: ' + U + b'\r\n\r\n',
    b'GET / HTTP/1.1\r\nX: ' + U,
    b'GET / HTTP/1.1\r\nX: ' + U + b'\n\r\n',
    b'GET / HTTP/1.1\r\nX: ' + U + b'   \r\n\r\n',
    b'GET / HTTP/1.1\r\nContent-Length: ' + b'0' * 17000 + b'\r\n\r\n',
    b'GET / HTTP/1.1\r\nConnection: ' + U + b'\r\n\r\n',
    b'GET / HTTP/1.1\r\nTransfer-Encoding: ' + U + b'\r\n\r\n',
    b'GET / HTTP/1.1\r\n' + b'X' * 17000 + b': a\r\n\r\n',
    b'GET / HTTP/1.1\r\n' + b'X' * 17000,
    b'GET / HTTP/1.1\r\n' + b'X' * 17000 + b' : a\r\n\r\n',
    b'GET / HTTP/1.1\r\n' + b'X: aaaaaaaaaa\r\n' * 2000 + b'\r\n',
    b'GET / HTTP/1.1\r\n' + b'X:\r\n' * 20000 + b'\r\n',
    b'GET / HTTP/1.1\r\n' + b'X: \r\n' * 20000 + b'\r\n',
    b'GET / HTTP/1.1\r\n' + b'X:a\r\n' * 20000 + b'\r\n',
    CHUNKED + b'1;a=' + U + b'\r\nx\r\n',
    CHUNKED + b'1;a=' + U,
    CHUNKED + b'1;' + U + b'\r\nx\r\n',
    CHUNKED + b'1;' + U + b'=b\r\nx\r\n',
    CHUNKED + b'1;' + U + b';b\r\nx\r\n',
    CHUNKED + b'1;a=' + U + b';b\r\nx\r\n',
    CHUNKED + b'1;a="' + U + b'"\r\nx\r\n',
    CHUNKED + b'1;a="' + U + b'\\"\r\nx\r\n',
    CHUNKED + b'1' + b';a=b' * 5000 + b'\r\nx\r\n',
    CHUNKED + b'1;' + U + b'\nx\r\n',
    CHUNKED + b'0\r\nX: ' + U + b'\r\n\r\n',
    CHUNKED + b'0\r\n' + b'X' * 17000 + b': y\r\n\r\n',
    NEAR_LIMIT + b'Connection : a\r\n\r\n',
    NEAR_LIMIT + b'Connection    : a\r\n\r\n',
    NEAR_LIMIT + b'Connection x: a\r\n\r\n',
    NEAR_LIMIT + b'X: abcdefghijklmnopq\x01\r\n\r\n',
    NEAR_LIMIT + b'X: abcdefghijklmnopq\n\r\n',
    NEAR_LIMIT + b'X: abcdefghijklmnopq\rx\r\n',
    NEAR_LIMIT + b'Content-Length: 1234567890123456x\r\n',
    NEAR_LIMIT + b'Transfer-Encoding: chunked, abcdefghijklmnopq\r\n',
    NEAR_LIMIT + b'X: a\r\n b\r\n',
    NEAR_LIMIT + b'X: abcdefghijklmnopqrs\r\n b\r\n',
    NEAR_LIMIT + b'Xabcdefghijklmnopqrs\x01: b\r\n',
    CHUNKED + b'1;' + U + b' \r\nx\r\n',
    CHUNKED + b'1;a=' + U + b' \r\nx\r\n',
    CHUNKED + b'1;a="' + U + b'\x01\r\nx\r\n',
    CHUNKED + b'1;a="' + U + b'\\\x01\r\nx\r\n',
    CHUNKED + b'1;a="' + U + b'"x\r\nx\r\n',
    CHUNKED + b'1;a=' + U + b'\nx\r\n',
    CHUNKED + b'1;a=' + U + b'"x\r\n',
]


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

    for i, data in enumerate(ERROR_PROBES):
        inputs.append(("probe-%d" % i, data, []))
        inputs.append(("probe-%d/bytewise" % i, data, list(range(1, len(data)))))
        inputs.append(("probe-%d/split" % i, data, random_splits(rng, len(data))))
    for i, data in enumerate(OVERFLOW_PROBES):
        inputs.append(("overflow-%d" % i, data, []))
        inputs.append(("overflow-%d/split" % i, data, random_splits(rng, len(data))))

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
    print("parser differential: %d inputs (%d corpus cases x 3 splittings + %d mutations + "
          "%d error probes), %d comparisons" % (len(inputs), len(cases), args.mutations,
                                                len(ERROR_PROBES) + len(OVERFLOW_PROBES), total))
    print("  rfc-mode stricter answers (allow-listed): %d" % rfc_stricter)
    print("  same framing, different error reason: %d" % reason_diffs)
    for key, data, splits, got, expected in failures[:args.show]:
        print("DIFF %s\n  input:  %r\n  splits: %s\n  nodecc: %s\n  node:   %s" % (
            key, data[:300], splits[:20], json.dumps(got)[:600], json.dumps(expected)[:600]))
    print("  differences: %d" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
