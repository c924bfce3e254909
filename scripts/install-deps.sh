#!/usr/bin/env bash
# Installs the Debian packages nodecc needs to build, test, fuzz and benchmark.
# Only what is missing is installed (apt-get update first). Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential g++ clang libclang-rt-14-dev cmake ninja-build pkg-config
  libuv1-dev libgtest-dev libgmock-dev libbenchmark-dev libhttp-parser-dev
  python3 curl wrk valgrind procps util-linux systemtap-sdt-dev
)
[ "${NODECC_WITH_BENCH_PEERS:-0}" = 1 ] && packages+=(wrk nginx h2o apache2-utils gnuplot-nox)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The differential parser test and some e2e tests use node; Debian's nodejs is enough.
command -v node >/dev/null 2>&1 || missing+=(nodejs)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
