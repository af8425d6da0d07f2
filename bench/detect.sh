#!/usr/bin/env bash
# Detection report (issue 6): per-rule recall and precision of the shipped rule sets against the
# generator's ground truth. One command, no broker:
#   1. paxflow gen writes a workload to an event file, its truth (every planted pattern, with the
#      events that must hit, and the generator's labels) and a watchlist (planted entries and
#      decoys);
#   2. paxflow rules backtest runs the whole pipeline in-process over it, rules/default.rules and
#      the built-in rules side by side, and writes every event's hits;
#   3. bench/detect.py scores the hits against the truth and writes
#      bench/results/detect-<date>[-<mode>].md and .json.
# Exit status 1 when a deterministic planted pattern is not detected in full by a rule set that
# covers its rule (known gaps excepted and reported).
#
# Usage: bench/detect.sh [--quick|--full] [--seed N] [--hours H] [--flights N] [--pax N]
#   quick (default): 1 departure hour, 60 flights of ~150 (~57k events), about a minute
#   full:            24 departure hours (~1.4M events)
# Env: PAXFLOW (default build/paxflow), RESULTS (bench/results), KEEP=1 keeps the work directory.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODE=quick SEED=42 HOURS= FLIGHTS=60 PAX=150
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --seed) SEED=$2; shift ;;
    --hours) HOURS=$2; shift ;;
    --flights) FLIGHTS=$2; shift ;;
    --pax) PAX=$2; shift ;;
    *) echo "usage: bench/detect.sh [--quick|--full] [--seed N] [--hours H] [--flights N] [--pax N]" >&2
       exit 2 ;;
  esac
  shift
done
[ -n "$HOURS" ] || { [ "$MODE" = full ] && HOURS=24 || HOURS=1; }
PF=${PAXFLOW:-$ROOT/build/paxflow}
RESULTS=${RESULTS:-$ROOT/bench/results}
log() { echo "detect: $*" >&2; }

if [ ! -x "$PF" ]; then
  log "no $PF: building it (scripts/build.sh release)"
  bash "$ROOT/scripts/build.sh" release > /dev/null
fi
command -v python3 > /dev/null || { log "python3 is needed for the scoring (bench/detect.py)"; exit 1; }
WORK=$(mktemp -d /tmp/detect.XXXXXX)
[ "${KEEP:-0}" = 1 ] && log "work directory $WORK kept" || trap 'rm -rf "$WORK"' EXIT
head -c 48 /dev/urandom | base64 -w0 | head -c 48 > "$WORK/secret"

GEN=(gen --seed "$SEED" --hours "$HOURS" --flights.per.hour "$FLIGHTS" --pax.per.flight "$PAX")
log "generating: paxflow ${GEN[*]}"
"$PF" "${GEN[@]}" --out "$WORK/events.pfev" --truth "$WORK/truth.jsonl" \
  --watchlist.out "$WORK/watchlist.jsonl" --log.level warn > "$WORK/gen.txt"
cat "$WORK/gen.txt" >&2

log "backtest: rules/default.rules and the built-in rules over the same events"
t0=$(date +%s.%N)
"$PF" rules backtest "$ROOT/rules/default.rules" --against builtin --events "$WORK/events.pfev" \
  --watchlist "$WORK/watchlist.jsonl" --hits "$WORK/hits.jsonl" --secret.file "$WORK/secret" \
  --log.level warn > "$WORK/backtest.txt"
t1=$(date +%s.%N)
head -2 "$WORK/backtest.txt" >&2

DATE=$(date -u +%Y-%m-%d)
NAME="detect-$DATE"
[ "$MODE" = full ] && NAME="$NAME-full"
[ "$MODE" = quick ] && NAME="$NAME-quick"
mkdir -p "$RESULTS"
events=$(awk '{print $2; exit}' "$WORK/gen.txt")
planted_wl=$(grep -vc DECOY "$WORK/watchlist.jsonl" || true)
python3 - "$WORK/facts.json" <<EOF
import json, platform, sys, os
facts = {
  "date": "$DATE", "mode": "$MODE",
  "command": "bench/detect.sh --$MODE --seed $SEED --hours $HOURS --flights $FLIGHTS --pax $PAX",
  "gen_command": "paxflow ${GEN[*]}",
  "gen_summary": open("$WORK/gen.txt").read().strip().split(" in ")[0].split(" events ", 1)[-1].strip("()"),
  "events": int("$events"),
  "watchlist_entries": sum(1 for _ in open("$WORK/watchlist.jsonl")),
  "watchlist_planted": int("$planted_wl"),
  "backtest_seconds": round($t1 - $t0, 1),
  "machine": "%s, %d cores, %s" % (platform.machine(), os.cpu_count(), platform.release()),
}
json.dump(facts, open(sys.argv[1], "w"))
EOF
rc=0
python3 "$ROOT/bench/detect.py" "$WORK/truth.jsonl" "$WORK/hits.jsonl" "$WORK/facts.json" \
  "$RESULTS/$NAME.md" "$RESULTS/$NAME.json" || rc=$?
log "wrote $RESULTS/$NAME.md and .json"
exit $rc
