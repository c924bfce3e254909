#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, run the whole test suite (ctest).
#   bash scripts/test.sh              g++, warnings as errors, every test
#   bash scripts/test.sh --sanitize   clang with ASan+UBSan, every test
#   extra arguments after -- go to ctest (e.g. -- -R net)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mode=plain
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) mode=sanitize ;;
    --) shift; ctest_args=("$@"); break ;;
    *) echo "usage: $0 [--sanitize] [-- ctest args]" >&2; exit 2 ;;
  esac
  shift
done

bash "$root/scripts/install-deps.sh"

jobs=$(nproc)
if [ "$mode" = sanitize ]; then
  build="$root/build/asan"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DNODECC_WERROR=ON -DNODECC_SANITIZE=ON -DNODECC_FUZZ=ON >/dev/null
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  build="$root/build/test"
  CC=gcc CXX=g++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNODECC_WERROR=ON -DNODECC_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" -j "$jobs"
cd "$build"
ctest --output-on-failure -j "$jobs" --timeout 600 "${ctest_args[@]}"
