#!/usr/bin/env bash
# Aborted transactions leave no trace: a worker that aborts every 3rd transaction after producing
# its outputs and changelog (fault.abort.every) still yields exactly one ScoredResult per event, the
# same results as a clean run, and a changelog whose final state per traveller equals the clean
# run's. The aborted outputs exist in the log, but read_committed readers never see them.
source "$(dirname "$0")/lib.sh"
CLEAN="$PREFIX-clean"
for p in "$PREFIX" "$CLEAN"; do
  "$PAXFLOW" topics create --brokers "$BROKERS" --topic.prefix "$p" --partitions 3 > /dev/null
  "$PAXFLOW" gen --brokers "$BROKERS" --topic.prefix "$p" --seed 3 --hours 1 \
    --flights.per.hour 10 --pax.per.flight 120 --bad.payloads 7 > /dev/null
done
runw() {
  "$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$1" --group.id "$1" --worker.id w \
    --state.dir "$WORK/state-$1" --secret.file "$WORK/secret" --idle.exit.ms 4000 \
    --commit.interval.ms 50 "${@:2}" > "$WORK/summary-$1.txt" 2> "$WORK/worker-$1.log" \
    || { tail -5 "$WORK/worker-$1.log" >&2; fail "worker on $1 failed"; }
}
runw "$PREFIX" --fault.abort.every 3
runw "$CLEAN"
aborts=$(grep -c 'fault injection: aborting' "$WORK/worker-$PREFIX.log" || true)
[ "$aborts" -ge 3 ] || fail "only $aborts injected aborts"

consume "$PREFIX" scored | jq -c "$project" | sort > "$WORK/a.jsonl"
consume "$CLEAN" scored | jq -c "$project" | sort > "$WORK/c.jsonl"
N=$(wc -l < "$WORK/c.jsonl")
U=$(jq -r .event_id "$WORK/a.jsonl" | sort -u | wc -l)
[ "$(wc -l < "$WORK/a.jsonl")" -eq "$N" ] && [ "$U" -eq "$N" ] \
  || fail "$(wc -l < "$WORK/a.jsonl") results ($U distinct) with aborts, $N without"
# Equal in full, history rules included: stage 2 applies events in event-time order.
cmp -s "$WORK/a.jsonl" "$WORK/c.jsonl" || fail "results with aborts differ from the clean run"
D=$(consume "$PREFIX" dlq | wc -l)
[ "$D" -eq 7 ] || fail "$D dead letters with aborts, expected the 7 planted once"
# Final state per traveller, as the changelog holds it (last committed value per key).
# Histories are encoded deterministically, so equal state means equal bytes. The partitions'
# event-order records ("~order") hold repartition offsets, which the aborted transactions moved.
for p in "$PREFIX" "$CLEAN"; do
  consume "$p" changelog | jq -s -c 'sort_by(._offset) | map({((._key_hex // ._key)): ._value_hex}) | add // {}
    | to_entries | map(select(.key != "~order")) | sort_by(.key) | .[]' > "$WORK/state-$p.jsonl"
done
S=$(wc -l < "$WORK/state-$CLEAN.jsonl")
[ "$S" -gt 1000 ] || fail "only $S travellers in the clean changelog"
cmp -s "$WORK/state-$PREFIX.jsonl" "$WORK/state-$CLEAN.jsonl" \
  || fail "final traveller state with aborts differs from the clean run's"
pass "final state of $S travellers in the changelog equals the clean run's"
pass "$aborts injected aborts: $N results, one per event, equal to a clean run; $D dead letters"
