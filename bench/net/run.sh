#!/usr/bin/env bash
# bench/net/run.sh — TCP echo throughput (64 KiB messages) and connect/accept/close
# rate, nodecc::net vs Node's net module, side by side. Server on CPU 0, load on CPU 1.
#
#   bench/net/run.sh [--seconds 5] [--runs 3]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
secs=5
runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) secs="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

build="$root/build-bench-net"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNODECC_BUILD_TESTS=OFF \
  -DNODECC_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target nodecc >/dev/null
cxx="${CXX:-c++}"
"$cxx" -O2 -std=c++20 -I"$root/include" "$here/echo_server.cpp" "$build/libnodecc.a" \
  $(pkg-config --libs libuv) -lpthread -o "$build/net_echo_server"
"$cxx" -O2 -std=c++20 "$here/loadgen.cpp" -o "$build/net_loadgen"

server_pid=""
cleanup() { if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

start_server() {  # $1 = nodecc|node ; sets server_pid, port
  local out; out="$(mktemp)"
  if [[ "$1" == nodecc ]]; then
    taskset -c 0 "$build/net_echo_server" 0 >"$out" &
  else
    taskset -c 0 node "$here/echo_server.js" 0 >"$out" &
  fi
  server_pid=$!
  for _ in $(seq 100); do [[ -s "$out" ]] && break; sleep 0.05; done
  port="$(head -1 "$out")"; rm -f "$out"
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hz="$(getconf CLK_TCK)"

declare -A result
measure() {  # $1 impl, $2 key, $3 per-unit scale, rest: loadgen arguments
  local impl="$1" key="$2" scale="$3"; shift 3
  local t0 t1 out
  t0="$(cpu_ticks)"
  out="$(taskset -c 1 "$build/net_loadgen" "$@")"
  t1="$(cpu_ticks)"
  result[$impl,$key]+="$(cut -d' ' -f1 <<<"$out") "
  # server CPU per unit: ms per GiB (scale 1024 MiB) or us per connection (scale 1e6/1000)
  result[$impl,$key-cpu]+="$(echo "($t1 - $t0) / $hz * 1000 * $scale / $(cut -d' ' -f2 <<<"$out")" | bc -l) "
}
for run in $(seq "$runs"); do
  for impl in nodecc node; do  # interleaved runs
    start_server "$impl"
    taskset -c 1 "$build/net_loadgen" throughput "$port" 1 1 65536 4 >/dev/null  # warm-up
    measure "$impl" tp1 1024 throughput "$port" 1 "$secs" 65536 4
    measure "$impl" tp8 1024 throughput "$port" 8 "$secs" 65536 4
    measure "$impl" conn 1000 connect "$port" 32 "$secs"
    stop_server
  done
done

row() {  # $1 label, $2 key, $3 unit, $4 cpu unit
  local a b ac bc
  a="$(tr ' ' '\n' <<<"${result[nodecc,$2]}" | grep . | median)"
  b="$(tr ' ' '\n' <<<"${result[node,$2]}" | grep . | median)"
  ac="$(tr ' ' '\n' <<<"${result[nodecc,$2-cpu]}" | grep . | median)"
  bc="$(tr ' ' '\n' <<<"${result[node,$2-cpu]}" | grep . | median)"
  printf '| %s | %s | %s | %s | %.2fx | %.0f | %.0f | %s |\n' "$1" "$3" "$a" "$b" \
    "$(echo "$a / $b" | bc -l)" "$ac" "$bc" "$4"
}
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs;" \
  "node $(node --version); libuv $(pkg-config --modversion libuv); median of $runs runs x ${secs}s"
echo
echo "| workload | unit | nodecc | node | nodecc/node | server CPU nodecc | server CPU node | CPU unit |"
echo "|---|---|---|---|---|---|---|---|"
row "echo, 1 connection, 64 KiB messages, 4 in flight" tp1 "MiB/s" "ms/GiB"
row "echo, 8 connections, 64 KiB messages, 4 in flight each" tp8 "MiB/s" "ms/GiB"
row "connect + 1-byte echo + close, 32 concurrent" conn "conn/s" "us/conn"
