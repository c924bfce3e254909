#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time, seeded from the conformance corpus.
#   bash scripts/fuzz.sh [--seconds N] [--target fuzz_NAME]   (N per target; default 60)
# Each target gets its own seeds (tests/fuzz/make_seed_corpus.py --target) and its own
# regressions (tests/fuzz/regressions/<target>/); an input that runs over 10 s is a failure.
# Uses the sanitizer build of scripts/test.sh --sanitize (built here if missing).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=60
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    --target) only=$2; shift ;;
    *) echo "usage: $0 [--seconds N] [--target fuzz_NAME]" >&2; exit 2 ;;
  esac
  shift
done

build="$root/build/asan"
if [ ! -f "$build/build.ninja" ]; then
  bash "$root/scripts/install-deps.sh"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DNODECC_WERROR=ON -DNODECC_SANITIZE=ON -DNODECC_FUZZ=ON >/dev/null
fi
cmake --build "$build" -j "$(nproc)"

shopt -s nullglob
targets=("$build"/tests/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets yet"
  exit 0
fi
status=0
for t in "${targets[@]}"; do
  name=$(basename "$t")
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  work="$build/fuzz-work/$name"
  mkdir -p "$work/corpus" "$work/artifacts"
  dirs=("$work/corpus")
  # Inputs that once failed stay in the corpus (tests/fuzz/regressions/<target>/), except
  # the `.open` ones: bugs found and not fixed yet (see the README there).
  rm -rf "$work/regressions"
  mkdir -p "$work/regressions"
  if [ -d "$root/tests/fuzz/regressions/$name" ]; then
    find "$root/tests/fuzz/regressions/$name" -maxdepth 1 -type f ! -name '*.open' \
      ! -name '*.md' -exec cp {} "$work/regressions/" \;
  fi
  dirs+=("$work/regressions")
  rm -rf "$work/seed"
  if python3 "$root/tests/fuzz/make_seed_corpus.py" --target "$name" "$work/seed" >/dev/null 2>&1; then
    dirs+=("$work/seed")
  fi
  flags=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1 -artifact_prefix="$work/artifacts/")
  [ -f "$root/tests/fuzz/http.dict" ] && flags+=(-dict="$root/tests/fuzz/http.dict")
  echo "fuzz: $name for ${seconds}s"
  if ! (cd "$work" && "$t" "${flags[@]}" "${dirs[@]}" >"$work/log.txt" 2>&1); then
    echo "fuzz: $name FOUND A FAILURE:"; tail -n 60 "$work/log.txt"; status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$work/log.txt" | tail -n 2
  fi
done
exit $status
