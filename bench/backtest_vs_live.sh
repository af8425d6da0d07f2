#!/usr/bin/env bash
# Issue 5, must-show 4: `paxflow rules backtest` over ~1,000,000 recorded events against one live
# worker processing the same events with the same rule set, on the local broker, in the same run.
# Prints both times and whether the per-rule hit counts agree.
# Usage: bench/backtest_vs_live.sh [PAXFLOW] [HOURS]   (defaults: build/paxflow, 18 -> ~1.0M events)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAXFLOW=${1:-$ROOT/build/paxflow}
HOURS=${2:-18}
RULES="$ROOT/rules/default.rules"
BROKERS=$("$ROOT/scripts/kafka.sh" bootstrap)
P="bench-bt-$$"
W=$(mktemp -d /tmp/paxflow-bench-bt.XXXXXX)
trap 'rm -rf "$W"' EXIT
head -c 32 /dev/urandom > "$W/secret"
pf() { local c=$1; shift; "$PAXFLOW" "$c" --brokers "$BROKERS" --topic.prefix "$P" "$@"; }
pf topics create --partitions 6 > /dev/null
pf gen --seed 9 --hours "$HOURS" --flights.per.hour 60 --pax.per.flight 150 2> /dev/null | tail -1
t0=$(date +%s.%N)
pf run --group.id "$P" --state.dir "$W/state" --secret.file "$W/secret" --rules.file "$RULES" \
  --idle.exit.ms 5000 --log.level warn > "$W/live.txt" 2> "$W/live.log"
t1=$(date +%s.%N)
cat "$W/live.txt"
live_first_last=$(awk '/elapsed/ {print $2}' "$W/live.txt")
t2=$(date +%s.%N)
"$PAXFLOW" rules backtest --brokers "$BROKERS" --topic.prefix "$P" "$RULES" --against builtin --secret.file "$W/secret" > "$W/bt.txt" 2> "$W/bt.log"
t3=$(date +%s.%N)
head -2 "$W/bt.txt"
pf consume --topic scored --timeout.ms 60000 | jq -r '.hits[].rule_id' | sort | uniq -c \
  | awk '{print $2, $1}' | sort > "$W/live.counts"
awk '/^rule/ {on=1; next} on && /^R[0-9]/ && $2 != "-" {print $1, $2} /^band/ {on=0}' "$W/bt.txt" \
  | sort > "$W/bt.counts"
echo "rule live backtest"
join -a1 -a2 -e 0 -o 0,1.2,2.2 "$W/live.counts" "$W/bt.counts"
python3 - "$t0" "$t1" "$t2" "$t3" "$live_first_last" <<'PY'
import sys
t0, t1, t2, t3, fl = map(float, sys.argv[1:])
live, bt = t1 - t0, t3 - t2
print(f"live worker wall {live:.1f} s (first to last message {fl:.1f} s, idle exit adds 5 s); "
      f"backtest wall {bt:.1f} s (reads the topics, orders, runs the candidate and the built-in "
      f"set); ratio backtest/live-first-to-last {bt / fl:.2f}")
PY
if cmp -s "$W/live.counts" "$W/bt.counts"; then echo "per-rule counts: identical"; else echo "per-rule counts: DIFFER"; exit 1; fi
