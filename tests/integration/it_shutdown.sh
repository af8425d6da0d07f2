#!/usr/bin/env bash
# A clean shutdown loses nothing: SIGTERM in the middle of a stream, then a restart, gives exactly
# one ScoredResult per event (outputs flushed and offsets committed before exit). Under the
# sanitizer build, LeakSanitizer also checks that the interrupted worker frees everything.
source "$(dirname "$0")/lib.sh"

pf topics create --partitions 3 > /dev/null
pf gen --seed 11 --hours 1 --flights.per.hour 12 --pax.per.flight 120 --bad.payloads 7 \
  --truth "$WORK/truth.jsonl" > /dev/null
run=(--group.id "$PREFIX" --state.dir "$WORK/state" --secret.file "$WORK/secret" --log.level info)

# Not through pf(): the background job must be paxflow itself, not a subshell, to get the signal.
"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" "${run[@]}" --commit.interval.ms 50 \
  > "$WORK/summary1.txt" 2> "$WORK/worker1.log" &
pid=$!
# Wait until some, but not all, results are out, then interrupt.
for _ in $(seq 1 300); do
  n=$(pf consume --topic scored --timeout.ms 5000 2>/dev/null | wc -l)
  [ "$n" -gt 0 ] && break
  sleep 0.1
done
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { tail -20 "$WORK/worker1.log" >&2; fail "worker exited $rc after SIGTERM"; }
grep -q '"shutting down' "$WORK/worker1.log" || fail "no shutdown log line"
first=$(pf consume --topic scored | wc -l)
echo "interrupted after $first results"

pf run "${run[@]}" --idle.exit.ms 3000 > "$WORK/summary2.txt" 2> "$WORK/worker2.log" \
  || { tail -20 "$WORK/worker2.log" >&2; fail "second worker failed"; }
pf consume --topic scored > "$WORK/scored.jsonl"
bad=$(jq -r 'select(.pattern == "BAD_PAYLOAD_VALUE") | .event_id' "$WORK/truth.jsonl" | sort -u)
pf consume --topic events.api > "$WORK/in.jsonl"
pf consume --topic events.pnr >> "$WORK/in.jsonl"
jq -r 'select(._error == null) | .event_id' "$WORK/in.jsonl" | sort | comm -23 - <(echo "$bad") > "$WORK/expected"
N=$(wc -l < "$WORK/expected")
R=$(wc -l < "$WORK/scored.jsonl")
U=$(jq -r .event_id "$WORK/scored.jsonl" | sort -u | wc -l)
[ "$R" -eq "$N" ] && [ "$U" -eq "$N" ] || fail "$R results ($U distinct) for $N events after interrupt + restart"
D=$(pf consume --topic dlq | wc -l)
[ "$D" -eq 7 ] || fail "$D dead letters, expected the 7 planted"
pass "SIGTERM after $first of $N results, restart: $N results, none lost or duplicated, $D dead letters"
