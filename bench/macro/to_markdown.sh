#!/usr/bin/env bash
# bench/macro/to_markdown.sh — the table to paste into docs/PERFORMANCE.md from one run.
#
#   bash bench/macro/to_markdown.sh bench/macro/results/results-<stamp>.tsv
#
# Prints markdown: the setup lines of the run's report (machine, durations; when
# report-<stamp>.md sits next to the TSV), then the medians (rows = workloads,
# columns = servers, nodecc first), the nodecc ÷ peer ratios (median of the
# per-run ratios) and the performance issue's targets with met / not met.
# The tables come from lib/report.js --paste, the same medians as the report.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2
fi
tsv=$1
[[ -r $tsv ]] || { echo "to_markdown.sh: cannot read $tsv" >&2; exit 1; }
report=$(dirname "$tsv")/$(basename "$tsv" | sed 's/^results-/report-/; s/\.tsv$/.md/')
echo "From \`$(basename "$tsv")\` (\`bash bench/macro/to_markdown.sh\`)."
if [[ -r $report ]]; then
  echo
  grep -E '^- (machine|pinning|per workload):' "$report" || true
fi
echo
node "$here/lib/report.js" --paste "$tsv"
