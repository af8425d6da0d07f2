#!/usr/bin/env bash
# Configures and builds paxflow. Usage: scripts/build.sh [release|sanitize|fuzz]  (default release)
# Build trees: build/ (release), build-asan/ (ASan+UBSan), build-fuzz/ (clang + libFuzzer).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
case "$kind" in
  release)  dir=build;      args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  sanitize) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DPAXFLOW_SANITIZE=ON) ;;
  fuzz)     dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DPAXFLOW_FUZZ=ON -DPAXFLOW_TESTS=OFF) ;;
  *) echo "usage: $0 [release|sanitize|fuzz]" >&2; exit 2 ;;
esac
if [ ! -f "$ROOT/$dir/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$ROOT/$dir" "${gen[@]}" "${args[@]}" >/dev/null
fi
cmake --build "$ROOT/$dir" -j "$(nproc)"
