#!/usr/bin/env bash
# Runs the runtime micro benchmarks in nodecc (Google Benchmark) and in Node,
# both pinned to CPU 0, and prints ns/op side by side with the ratio.
#   bench/micro/compare_runtime.sh [BUILD_DIR]    (default: build; needs -DNODECC_BUILD_BENCH=ON)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-$here/../../build}
bin=$build/bench/micro/nodecc_bench_micro
[[ -x $bin ]] || { echo "no $bin: configure with -DNODECC_BUILD_BENCH=ON and build" >&2; exit 1; }
pin=(taskset -c 0)
command -v taskset >/dev/null || pin=()

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"${pin[@]}" "$bin" --benchmark_filter='^BM_Runtime' --benchmark_format=json \
    --benchmark_repetitions=5 --benchmark_report_aggregates_only=true >"$tmp/nodecc.json"
"${pin[@]}" node "$here/node/runtime_bench.js" >"$tmp/node.json"

python3 - "$tmp/nodecc.json" "$tmp/node.json" <<'PY'
import json, sys
cc = json.load(open(sys.argv[1]))
node = json.load(open(sys.argv[2]))
scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
ours = {}
for b in cc["benchmarks"]:
    if b.get("aggregate_name") == "median":
        ours[b["run_name"]] = b["real_time"] * scale[b["time_unit"]]
print(f"{'operation':36} {'nodecc ns/op':>13} {'node ns/op':>11} {'nodecc/node':>12}")
for name, ns in ours.items():
    theirs = node.get(name)
    ratio = f"{ns / theirs:.3f}" if theirs else "-"
    theirs_s = f"{theirs:.1f}" if theirs else "-"
    print(f"{name:36} {ns:13.1f} {theirs_s:>11} {ratio:>12}")
PY
