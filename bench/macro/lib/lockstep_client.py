#!/usr/bin/env python3
"""Lock-step HTTP/1.1 load for instruction counts (bench/macro/ir_per_request.sh).

Each connection sends DEPTH pipelined `GET /` in one write, then reads until all DEPTH
responses (`Hello, World!`, the bench contract) arrived; ROUNDS times. Unlike wrk, every
read of the server sees the same batch, so instructions per request do not depend on how
the load generator's writes happened to be split: the count is repeatable to the last digit.

usage: lockstep_client.py PORT DEPTH ROUNDS [CONNECTIONS]   (prints the responses counted)
"""
import socket
import sys


def main() -> int:
    port, depth, rounds = (int(a) for a in sys.argv[1:4])
    conns = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    batch = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port * depth
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(conns)]
    for s in socks:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    total = 0
    for _ in range(rounds):
        for s in socks:
            s.sendall(batch)
        for s in socks:
            got, buf = 0, b""
            while got < depth:
                data = s.recv(65536)
                if not data:
                    print("connection closed early", file=sys.stderr)
                    return 1
                buf += data
                got = buf.count(b"Hello, World!")
            total += got
    for s in socks:
        s.close()
    print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
