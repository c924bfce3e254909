#!/usr/bin/env bash
# Instructions per request of a bench-contract server, counted by callgrind: deterministic,
# so a change of a few dozen instructions shows on a noisy machine where req/s cannot.
#
#   bash bench/macro/ir_per_request.sh SERVER_BINARY [DEPTH] [ROUNDS]
#     DEPTH 16 (default): pipelined batches of 16 (W2's shape); DEPTH 1: keep-alive (W1's)
#
# The server runs under valgrind with instrumentation off until 4 connections are warmed;
# then lib/lockstep_client.py sends ROUNDS lock-step batches on each. Prints
# "requests=N Ir=TOTAL Ir/req=X" (user-space instructions of the server, libuv included).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${1:?usage: ir_per_request.sh SERVER_BINARY [DEPTH] [ROUNDS]}
depth=${2:-16}
rounds=${3:-$((depth == 1 ? 1000 : 200))}
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(mktemp -d)
stop() { kill -9 "$vpid" 2>/dev/null || true; wait "$vpid" 2>/dev/null || true; rm -rf "$out"; }
trap stop EXIT
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/cg.out" "$bin" "$port" \
    >"$out/server.log" 2>&1 &
vpid=$!
for _ in $(seq 100); do
    grep -q LISTENING "$out/server.log" 2>/dev/null && break
    sleep 0.1
done
python3 "$here/lib/lockstep_client.py" "$port" 1 5 1 >/dev/null  # warm: first-use allocations
callgrind_control -i on "$vpid" >/dev/null 2>&1
n=$(python3 "$here/lib/lockstep_client.py" "$port" "$depth" "$rounds" 4)
callgrind_control -d "$vpid" >/dev/null 2>&1
sleep 0.5
total=$(cat "$out"/cg.out* | awk '/^summary:/ {s += $2} END {print s}')
echo "requests=$n Ir=$total Ir/req=$((total / n))"
