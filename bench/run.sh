#!/usr/bin/env bash
# Every benchmark in one run, into one results folder:
#   1. core       paxflow bench core: the whole pipeline in-process on one core (no Kafka)
#   2. detection  bench/detect.sh: per-rule recall and precision against the generator's truth
#   3. end to end bench/e2e.sh: copy vs paxflow vs Kafka Streams on the real broker, exactly-once,
#                 throughput, latency at half of paxflow's peak, CPU, RSS, plots
# It installs what is missing (scripts/setup.sh), builds the release tree, and starts the local
# broker if none answers.
#
# Usage: bench/run.sh [--quick|--full]
#   --quick (default): one generated departure hour, a 100k-name watchlist and 1M histories for
#                      the core run; e2e and detection in their quick modes. Under 5 minutes.
#   --full:            four hours; core at 1M names and 10M histories (the brief's size) as well.
# Env: RESULTS (folder; default bench/results/run-<UTC date-time>-<mode>), SEED (42)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODE=quick
case "${1:-}" in
  --quick | "") MODE=quick ;;
  --full) MODE=full ;;
  -h | --help)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: bench/run.sh [--quick|--full]" >&2
    exit 2
    ;;
esac
SEED=${SEED:-42}
OUT=${RESULTS:-$ROOT/bench/results/run-$(date -u +%Y-%m-%d-%H%M)-$MODE}
mkdir -p "$OUT"
log() { echo "bench: $*" >&2; }
t_start=$(date +%s)

"$ROOT/scripts/setup.sh" > /dev/null
cmake -S "$ROOT" -B "$ROOT/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAXFLOW_BENCH=ON \
  > /dev/null
cmake --build "$ROOT/build" -j "$(nproc)" > /dev/null
PF="$ROOT/build/paxflow"

{
  echo "# paxflow benchmarks, $MODE mode, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release && echo "$PRETTY_NAME");"
  echo "paxflow $(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2> /dev/null || echo ' (modified)'),"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
} > "$OUT/README.md"

# ---- 1. core ------------------------------------------------------------------------------------
work=$(mktemp -d /tmp/paxflow-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
hours=1
[ "$MODE" = full ] && hours=4
log "core: generating $hours departure hour(s), seed $SEED"
"$PF" gen --seed "$SEED" --hours "$hours" --out "$work/events.pfev" --log.level warn > /dev/null
core_run() { # NAME NAMES TRAVELLERS [extra args...]
  local name=$1 names=$2 travellers=$3
  shift 3
  log "core: $name ($names names, $travellers histories)"
  taskset -c 1 "$PF" bench core --events "$work/events.pfev" --names "$names" \
    --travellers "$travellers" --rules "$ROOT/rules/default.rules" "$@" > "$work/core-$name.md"
  {
    echo "### $name"
    echo
    sed '1,2d' "$work/core-$name.md"
    echo
  } >> "$OUT/core.md"
}
{
  echo "# paxflow bench core ($MODE)"
  echo
  echo "\`paxflow gen --seed $SEED --hours $hours --out events.pfev\`, then"
  echo "\`taskset -c 1 paxflow bench core --events events.pfev --names N --travellers M --rules rules/default.rules\`."
  echo
} > "$OUT/core.md"
core_run no-watchlist 0 100000
core_run watchlist-100k 100000 1000000
if [ "$MODE" = full ]; then
  core_run full-size 1000000 10000000
fi

# ---- 2. detection -------------------------------------------------------------------------------
log "detection report"
RESULTS="$OUT" bash "$ROOT/bench/detect.sh" "--$MODE" --seed "$SEED" > "$work/detect.log" 2>&1 || {
  cat "$work/detect.log" >&2
  exit 1
}

# ---- 3. end to end ------------------------------------------------------------------------------
log "end to end"
RESULTS="$OUT" SEED="$SEED" bash "$ROOT/bench/e2e.sh" "--$MODE"

t_end=$(date +%s)
{
  echo "Files: core.md (in-process pipeline), detect-*.md (detection report), e2e-*.md/json/png"
  echo "(end to end). Whole run: $((t_end - t_start)) s."
} >> "$OUT/README.md"
log "done in $((t_end - t_start)) s: $OUT"
