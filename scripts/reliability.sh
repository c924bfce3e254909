#!/usr/bin/env bash
# The reliability figures table of docs/SECURITY.md: builds the hostile-client e2e suite
# (tests/e2e/hostile/, plain RelWithDebInfo build), runs it, and prints a markdown table
# from the `RELIABILITY|case|attack|answer|bound|good client` lines the tests print.
#   bash scripts/reliability.sh [BUILD_DIR]      (default build/reliability)
# Exits non-zero if a test failed (the table is still printed, failing rows included).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build/reliability}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target nodecc_e2e_hostile -- -j"${JOBS:-2}" >/dev/null

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$build/tests/nodecc_e2e_hostile" --gtest_color=no >"$log" 2>&1 || status=$?

echo "| case | what the attacker did | server answer | bound measured | well-behaved client served |"
echo "|---|---|---|---|---|"
grep '^RELIABILITY|' "$log" | sort -t'|' -k2,2 | while IFS='|' read -r _ name attack answer bound good; do
  echo "| $name | $attack | $answer | $bound | $good |"
done
echo
kernel=$(uname -r)
cpus=$(nproc)
echo "_$(grep -c '^\[       OK \]' "$log") passed, $(grep -c '^\[  FAILED  \] .*(' "$log") failed;" \
  "$(grep '^\[==========\] .* ran\.' "$log" | sed 's/.*(\(.*\) total)/\1 total/')" \
  "on Linux $kernel, $cpus CPUs, $(date -u +%Y-%m-%d)._"
if grep -q '^10k connections:' "$log"; then
  echo
  grep '^10k connections:' "$log"
fi
if [ "$status" -ne 0 ]; then
  echo
  echo "FAILED:"
  grep '^\[  FAILED  \] .*(' "$log" || true
fi
exit "$status"
