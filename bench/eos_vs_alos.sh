#!/usr/bin/env bash
# Throughput of one worker with exactly_once_v2 against at_least_once on the same workload, in the
# same run, alternating, on the local broker. Prints each run and the median ratio.
# Usage: bench/eos_vs_alos.sh [PAXFLOW] [HOURS] [ROUNDS]   (defaults: build/paxflow, 2, 3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PF=${1:-$ROOT/build/paxflow}
HOURS=${2:-2}
ROUNDS=${3:-3}
BROKERS=$("$ROOT/scripts/kafka.sh" bootstrap)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
head -c 32 /dev/urandom > "$WORK/secret"
for r in $(seq 1 "$ROUNDS"); do
  for g in at_least_once exactly_once_v2; do
    p="bench-eos-$$-$r-$g"
    "$PF" topics create --brokers "$BROKERS" --topic.prefix "$p" --partitions 6 > /dev/null
    "$PF" gen --brokers "$BROKERS" --topic.prefix "$p" --seed 1 --hours "$HOURS" > /dev/null
    "$PF" run --brokers "$BROKERS" --topic.prefix "$p" --group.id "$p" --worker.id b \
      --state.dir "$WORK/state-$p" --secret.file "$WORK/secret" --idle.exit.ms 3000 \
      --processing.guarantee "$g" --log.level warn 2> /dev/null > "$WORK/$p.txt"
    eps=$(awk '/events\/s/ { print $2 }' "$WORK/$p.txt")
    echo "round $r $g events/s $eps"
    echo "$g $eps" >> "$WORK/all"
  done
done
med() { grep "^$1 " "$WORK/all" | awk '{ print $2 }' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
a=$(med at_least_once); e=$(med exactly_once_v2)
echo "median events/s: at_least_once $a, exactly_once_v2 $e, ratio eos/alos $(awk -v e="$e" -v a="$a" 'BEGIN { printf "%.2f", e / a }')"
