#!/usr/bin/env bash
# Scaling by partitions: one worker starts alone, a second and a third join mid-stream, then one
# is stopped (SIGTERM). Partitions and their state move with every rebalance; nothing may be lost
# or duplicated. Prints each rebalance's pause and each restore's speed.
source "$(dirname "$0")/lib.sh"
HOURS=${SCALE_HOURS:-3}
pf topics create --partitions 6 > /dev/null
pf gen --seed 9 --hours "$HOURS" --flights.per.hour 60 --pax.per.flight 150 --bad.payloads 7 \
  > "$WORK/gen.txt"
cat "$WORK/gen.txt"
start() {
  "$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" --group.id "$PREFIX" \
    --worker.id "$1" --state.dir "$WORK/state-$1" --secret.file "$WORK/secret" \
    --idle.exit.ms "${2:-8000}" --log.level info -X session.timeout.ms=10000 \
    > "$WORK/summary-$1.txt" 2> "$WORK/worker-$1.log" &
  LAST=$!
}
start s1; p1=$LAST; sleep 3
start s2; p2=$LAST; sleep 3
start s3; p3=$LAST; sleep 4
kill -TERM "$p2" || fail "s2 had already finished: the workload is too small to stop a worker mid-stream"; wait "$p2" || fail "s2 did not stop cleanly"
wait "$p1" || fail "s1 failed"; wait "$p3" || fail "s3 failed"

pf consume --topic scored | jq -r .event_id | sort > "$WORK/got"
pf consume --topic events.api > "$WORK/in.jsonl"; pf consume --topic events.pnr >> "$WORK/in.jsonl"
jq -r 'select(._error == null and (.traveller.surname | length) > 0) | .event_id' "$WORK/in.jsonl" \
  | sort > "$WORK/expected"
N=$(wc -l < "$WORK/expected"); R=$(wc -l < "$WORK/got"); U=$(sort -u "$WORK/got" | wc -l)
[ "$R" -eq "$N" ] && [ "$U" -eq "$N" ] && cmp -s "$WORK/expected" "$WORK/got" \
  || fail "$R results ($U distinct) for $N events after scaling 1 -> 3 -> 2"
pass "scaling 1 -> 2 -> 3 -> 2 workers: $N events, $N results, none lost or duplicated"
for id in s1 s2 s3; do
  # Pause: from a revocation to the next assignment of the same worker.
  jq -r 'select(.comp == "worker") | [.ts, .msg] | @tsv' "$WORK/worker-$id.log" | awk -F'\t' -v id="$id" '
    function t(s) { split(substr(s, 12, 12), a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
    /revoking/ { r = t($1) }
    /^.*assigned/ && r { printf "  %s rebalance pause %.3f s\n", id, t($1) - r; r = 0 }
    /restored partition/ { sub(/.*restored /, ""); print "  " id " restored " $0 }'
done
