#!/usr/bin/env bash
# Replay with several workers: N worker processes (one consumer group) score H generated hours
# already on the broker, with rules/default.rules; prints the wall time from the workers' start
# to their exit, less the idle wait that ends them, and the results produced. Built to measure
# what the flags gate (workers/flags.h) costs a multi-worker replay: run it with a binary from
# before the flags table and one after, alternating, on the same machine.
#
# Usage: bench/replay_workers.sh PAXFLOW [HOURS (2)] [WORKERS (2)] [PARTITIONS (4)]
# Needs the local broker (scripts/kafka.sh start). Topics are left under the printed prefix.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PF=${1:?usage: bench/replay_workers.sh PAXFLOW [HOURS] [WORKERS] [PARTITIONS]}
HOURS=${2:-2}
WORKERS=${3:-2}
PARTS=${4:-4}
IDLE_MS=5000
BROKERS=$("$ROOT/scripts/kafka.sh" bootstrap)
PREFIX=replay-$$-$RANDOM
WORK=$(mktemp -d /tmp/paxflow-replay.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
common=(--brokers "$BROKERS" --topic.prefix "$PREFIX")
head -c 32 /dev/urandom > "$WORK/secret"
"$PF" topics create "${common[@]}" --partitions "$PARTS" > /dev/null
"$PF" gen "${common[@]}" --seed 42 --hours "$HOURS" --watchlist.out "$WORK/wl.jsonl" \
  --log.level warn > "$WORK/gen.txt"
"$PF" watchlist load "${common[@]}" "$WORK/wl.jsonl" > /dev/null
t0=$(date +%s.%N)
for i in $(seq 1 "$WORKERS"); do
  "$PF" run "${common[@]}" --group.id "$PREFIX" --worker.id "w$i" --state.dir "$WORK/state-$i" \
    --secret.file "$WORK/secret" --rules.file "$ROOT/rules/default.rules" \
    --idle.exit.ms "$IDLE_MS" --log.level warn > "$WORK/summary-$i.txt" 2> "$WORK/worker-$i.log" &
done
wait
t1=$(date +%s.%N)
results=$("$PF" consume "${common[@]}" --topic scored | wc -l)
# results each worker wrote: a worker that joined after the other had read everything did none
split=$(for i in $(seq 1 "$WORKERS"); do
  awk '/results out/ { print $3 }' "$WORK/summary-$i.txt"
done | paste -sd/ -)
events=$(grep -o 'generated [0-9]*' "$WORK/gen.txt" | grep -o '[0-9]*')
awk -v a="$t0" -v b="$t1" -v idle="$IDLE_MS" -v r="$results" -v e="$events" -v w="$WORKERS" \
  -v p="$PREFIX" -v per="$split" 'BEGIN { s = b - a - idle / 1000;
    printf "prefix %s: %d workers, %d events generated, %d results (per worker %s), %.1f s (wall less idle wait), %.0f results/s\n",
      p, w, e, r, per, s, r / s }'
