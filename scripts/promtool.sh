#!/usr/bin/env bash
# Lints a running worker's Prometheus exposition with `promtool check metrics`.
# Usage: scripts/promtool.sh [URL]   (default http://127.0.0.1:${PAXFLOW_METRICS_PORT:-9464}/metrics)
# Or pipe an exposition in: ... | scripts/promtool.sh -
# Exit status: 0 clean, 1 lint findings or fetch failure, 2 promtool missing
# (Debian 12: apt-get install prometheus).
set -euo pipefail
url=${1:-http://127.0.0.1:${PAXFLOW_METRICS_PORT:-9464}/metrics}
if ! command -v promtool >/dev/null; then
  echo "promtool not found (apt-get install prometheus)" >&2
  exit 2
fi
if [ "$url" = "-" ]; then
  body=$(cat)
else
  body=$(curl -fsS --max-time 10 "$url") || { echo "cannot fetch $url" >&2; exit 1; }
fi
out=$(printf '%s\n' "$body" | promtool check metrics 2>&1) && rc=0 || rc=$?
if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
  printf '%s\n' "$out" >&2
  exit 1
fi
echo "promtool check metrics: clean"
