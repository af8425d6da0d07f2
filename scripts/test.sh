#!/usr/bin/env bash
# Runs the whole test suite, as CI does (.ci/run calls this):
#   1. installs what is missing, 2. starts the local Kafka broker,
#   3. unit + integration tests under ASan/UBSan (LeakSanitizer checks the worker's shutdown),
#   4. unit + integration tests on the release build. The last lines are ctest's summary.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

bash scripts/setup.sh
bash scripts/build.sh sanitize
bash scripts/build.sh release
bash scripts/kafka.sh start
# The sanitizer run: LeakSanitizer fails any test whose process leaks, the worker included.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== tests under ASan/UBSan (build-asan) =="
ctest --test-dir build-asan --output-on-failure --timeout 1500
unset ASAN_OPTIONS UBSAN_OPTIONS
echo "== tests on the release build (build) =="
ctest --test-dir build --output-on-failure --timeout 1500
