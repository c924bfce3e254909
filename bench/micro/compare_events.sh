#!/usr/bin/env bash
# EventEmitter: nodecc vs Node, side by side (issue 2 "Measure").
# Builds nodecc_bench_micro (Release), runs the events benchmarks and
# bench/micro/node/events_bench.js, both pinned to CPU 0, and prints ns/op
# and the ratio nodecc/Node (below 1: nodecc is faster).
#   bench/micro/compare_events.sh [build-dir]     (default: build-bench)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNODECC_BUILD_BENCH=ON \
  -DNODECC_BUILD_TESTS=OFF -DNODECC_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target nodecc_bench_micro >/dev/null

pin=(taskset -c 0)
command -v taskset >/dev/null || pin=()

cc=$(mktemp)
js=$(mktemp)
trap 'rm -f "$cc" "$js"' EXIT
"${pin[@]}" "$build/bench/micro/nodecc_bench_micro" --benchmark_filter='^BM_Events' \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_format=csv 2>/dev/null |
  awk -F, '$1 ~ /_median"?$/ { gsub(/"/, "", $1); sub(/_median$/, "", $1); print $1, $3 }' >"$cc"
"${pin[@]}" node "$root/bench/micro/node/events_bench.js" >"$js"

printf '%-22s %12s %12s %8s\n' benchmark 'nodecc ns/op' 'node ns/op' ratio
awk 'NR == FNR { node[$1] = $2; next }
     { n = node[$1]; printf "%-22s %12.2f %12.2f %8s\n", $1, $2, n,
       (n > 0 ? sprintf("%.2f", $2 / n) : "-") }' "$js" "$cc"
