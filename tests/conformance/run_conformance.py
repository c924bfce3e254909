#!/usr/bin/env python3
"""Starts nodecc-echo on a free port, replays the conformance corpus with diff.py
against Node's recorded answers, stops the server; exit status 0 only if every
case passes. Usage: run_conformance.py ECHO_BINARY [diff.py options...]"""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    server = subprocess.Popen([sys.argv[1], "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline().strip()
        if not line.startswith("LISTENING "):
            print("nodecc-echo did not start: %r" % line)
            return 1
        target = line.split(" ", 1)[1]
        cmd = [sys.executable, os.path.join(here, "diff.py"), "--target", target] + sys.argv[2:]
        result = subprocess.run(cmd, capture_output=True, text=True)
        fails = [l for l in result.stdout.splitlines() if not l.startswith("PASS")]
        print("\n".join(fails))
        if server.poll() is not None:
            print("nodecc-echo exited during the run (status %s)" % server.returncode)
            return 1
        return result.returncode
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
