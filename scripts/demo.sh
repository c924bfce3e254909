#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build in Release, start the demo server.
#   bash scripts/demo.sh [PORT]        (default port 8080)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
port=${1:-8080}

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DNODECC_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build/release" --target nodecc-hello
echo "Starting the demo server on http://127.0.0.1:$port/ (Ctrl-C stops it)"
exec "$root/build/release/examples/nodecc-hello" "$port"
