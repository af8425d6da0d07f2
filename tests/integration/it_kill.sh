#!/usr/bin/env bash
# Exactly-once under chaos, on the real broker: 3 workers process a generated workload on 6
# partitions while random workers get kill -9 (and are restarted) and the broker itself restarts
# once. Then a read_committed consumer must find exactly one ScoredResult per input event, and
# every result must equal that of one clean single-worker run over the same input.
#   KILL_HOURS   departure hours to generate (default 1: ~55k events; 4 gives ~220k)
#   KILL_COUNT   kill -9 count (default 5)
#   KILL_BROKER  1 to restart the broker once in the middle (default 1)
source "$(dirname "$0")/lib.sh"
HOURS=${KILL_HOURS:-1}
KILLS=${KILL_COUNT:-5}
BROKER_RESTART=${KILL_BROKER:-1}
RANDOM=${KILL_SEED:-$$}
CLEAN="$PREFIX-clean"
gen=(--seed 5 --hours "$HOURS" --flights.per.hour 60 --pax.per.flight 150 --bad.payloads 14)
# Short session and transaction timeouts so that a killed member's partitions and open
# transaction are released in seconds rather than the defaults' 45 s and 60 s.
kx=(-X session.timeout.ms=10000 -X transaction.timeout.ms=10000)

for p in "$PREFIX" "$CLEAN"; do
  "$PAXFLOW" topics create --brokers "$BROKERS" --topic.prefix "$p" --partitions 6 > /dev/null
  "$PAXFLOW" gen --brokers "$BROKERS" --topic.prefix "$p" "${gen[@]}" > "$WORK/gen-$p.txt"
done
cat "$WORK/gen-$PREFIX.txt"

t0=$(date +%s)
# supervise (lib.sh) restarts a worker whenever it dies, as Kubernetes would.
for id in w1 w2 w3; do supervise "$id" --idle.exit.ms 8000 --log.level info "${kx[@]}" & done

for k in $(seq 1 "$KILLS"); do
  sleep $((2 + RANDOM % 5))
  kill_one w1 w2 w3
  if [ "$BROKER_RESTART" = 1 ] && [ "$k" -eq $(((KILLS + 1) / 2)) ]; then
    echo "$(date +%T) broker restart" >> "$WORK/chaos.log"
    "$ROOT/scripts/kafka.sh" restart >> "$WORK/chaos.log"
  fi
done
wait
t1=$(date +%s)
cat "$WORK/chaos.log"
grep -c "kill -9" "$WORK/chaos.log" | { read -r n; [ "$n" -ge "$KILLS" ] || fail "only $n of $KILLS kills landed"; }

# The clean reference: one worker, no faults, same input and secret.
"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$CLEAN" --group.id "$CLEAN" --worker.id clean \
  --state.dir "$WORK/state-clean" --secret.file "$WORK/secret" --idle.exit.ms 5000 \
  --log.level warn > "$WORK/summary-clean.txt" 2> "$WORK/worker-clean.log" \
  || fail "clean run failed"

consume "$PREFIX" events.api > "$WORK/in.jsonl"
consume "$PREFIX" events.pnr >> "$WORK/in.jsonl"
bad=$(jq -r 'select(._error == null and (.traveller.surname | length) == 0) | .event_id' "$WORK/in.jsonl")
jq -r 'select(._error == null) | .event_id' "$WORK/in.jsonl" | sort -u \
  | comm -23 - <(echo "$bad" | sort -u) > "$WORK/expected"
N=$(wc -l < "$WORK/expected")
# Read until all are visible (lib.sh: a killed worker's started commit completes on its own).
await_results "$PREFIX" "$N" "$WORK/chaos.jsonl"
consume "$CLEAN" scored | jq -c "$project" | sort > "$WORK/clean.jsonl"
R=$(wc -l < "$WORK/chaos.jsonl")
U=$(jq -r .event_id "$WORK/chaos.jsonl" | sort -u | wc -l)
jq -r .event_id "$WORK/chaos.jsonl" | sort -u > "$WORK/got"
missing=$(comm -23 "$WORK/expected" "$WORK/got" | wc -l)
echo "events $N, results $R ($U distinct), missing $missing, chaos phase $((t1 - t0)) s"
[ "$missing" -eq 0 ] || fail "$missing events have no result"
[ "$R" -eq "$U" ] || fail "$((R - U)) duplicated results"
[ "$U" -eq "$N" ] || fail "$U results for $N events"
pass "exactly one ScoredResult for each of $N events after $KILLS kill -9 and a broker restart"
D=$(consume "$PREFIX" dlq | wc -l)
[ "$D" -eq 14 ] || fail "$D dead letters, expected the 14 planted exactly once"
pass "14 dead letters, none duplicated"

# Replay equality, history rules included: stage 2 applies each traveller's events in event-time
# order behind the input partitions' watermarks (workers/order.h), so neither kills, rebalances
# nor the interleaving of partitions may change a single result.
jq -r .event_id "$WORK/clean.jsonl" > "$WORK/clean_ids"
cmp -s "$WORK/clean_ids" "$WORK/got" || fail "the clean run did not score the same events"
order=$(cat "$WORK"/summary-w*.txt | awk '/event order/ {l += $4; f += $6; s += $NF} END {printf "late %d, forced %d, read again and skipped %d", l, f, s}')
echo "event order across chaos workers: $order"
if ! cmp -s "$WORK/chaos.jsonl" "$WORK/clean.jsonl"; then
  n=$(diff "$WORK/chaos.jsonl" "$WORK/clean.jsonl" | grep -c '^<' || true)
  diff "$WORK/chaos.jsonl" "$WORK/clean.jsonl" | head -6 >&2
  fail "$n results differ from the clean single-worker run"
fi
h=$(jq -r 'select(.hits | map(.rule_id) | index("R13")) | .event_id' "$WORK/chaos.jsonl" | wc -l)
pass "all $N results equal the clean single-worker run's, history rules included ($h R13 hits)"
