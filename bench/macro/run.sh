#!/usr/bin/env bash
# bench/macro/run.sh — nodecc against its peers, side by side, one command.
#
# Installs the load generators and peers (Debian packages; Node.js is used as found,
# Debian's nodejs otherwise), builds nodecc-hello in Release, and runs peers.sh with
# nodecc added as a server: server pinned to CPU 0, load generator to CPU 1, several
# interleaved runs, medians, and the ratio of nodecc to each peer from the same run.
#
#   bash bench/macro/run.sh                       # everything: 7 workloads x all peers, 3 runs
#   bash bench/macro/run.sh --runs 1 --duration 3 --workloads 1,2 --peers node,limit
#   (any other option goes to peers.sh; see bench/macro/peers.sh --help)
# Writes the report to bench/macro/results/report-<date>.md (and prints it), the raw
# results to results-<date>.tsv and their plot to plot-<date>.png (plot.sh); the
# table for docs/PERFORMANCE.md: bash bench/macro/to_markdown.sh results-<date>.tsv
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

NODECC_WITH_BENCH_PEERS=1 bash "$root/scripts/install-deps.sh"
for p in libcpp-httplib-dev libboost-dev libevent-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

cmake -S "$root" -B "$root/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DNODECC_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build/release" --target nodecc-hello

mkdir -p "$here/results"
stamp=$(date +%Y%m%d-%H%M%S)
args=(--runs 3 "$@")
tsv=$here/results/results-$stamp.tsv
rc=0
bash "$here/peers.sh" --server "nodecc=$root/build/release/examples/nodecc-hello {PORT}" \
  --out "$here/results/report-$stamp.md" --tsv "$tsv" "${args[@]}" || rc=$?
if [ -f "$tsv" ] && [ "$(wc -l <"$tsv")" -gt 1 ]; then
  bash "$here/plot.sh" "$tsv" "$here/results/plot-$stamp.png" ||
    echo "run.sh: the plot failed (the report and the TSV are written)" >&2
fi
exit "$rc"
