#!/usr/bin/env bash
# `paxflow rules backtest` on the real broker: over the same recorded events, the per-rule hit
# counts of a backtest equal those a live worker produced with the same rule set (both apply each
# traveller's events in event-time order); the backtest publishes nothing; the same events from a
# file (gen --out) give the same table; a candidate that does not compile is refused.
source "$(dirname "$0")/lib.sh"
RULES="$ROOT/rules/default.rules"
pf topics create --partitions 3 > /dev/null
pf gen --seed 41 --hours 1 --flights.per.hour 12 --pax.per.flight 120 --bad.payloads 7 > /dev/null
pf gen --seed 41 --hours 1 --flights.per.hour 12 --pax.per.flight 120 --bad.payloads 7 \
  --out "$WORK/events.pfev" > /dev/null
pf run --group.id "$PREFIX" --state.dir "$WORK/state" --secret.file "$WORK/secret" \
  --rules.file "$RULES" --idle.exit.ms 3000 > "$WORK/live.txt" 2> "$WORK/live.log" \
  || fail "live run failed: $(tail -3 "$WORK/live.log")"
before=$(pf consume --topic scored | wc -l)
"$PAXFLOW" rules backtest --brokers "$BROKERS" --topic.prefix "$PREFIX" "$RULES" --against builtin --secret.file "$WORK/secret" > "$WORK/bt.txt" \
  2> "$WORK/bt.log" || fail "backtest failed: $(tail -3 "$WORK/bt.log")"
pf consume --topic scored > "$WORK/scored.jsonl"
[ "$(wc -l < "$WORK/scored.jsonl")" -eq "$before" ] || fail "the backtest published results"
jq -r '.hits[].rule_id' "$WORK/scored.jsonl" | sort | uniq -c | awk '{print $2, $1}' | sort > "$WORK/live.counts"
counts() { awk '/^rule/ {on=1; next} /^band/ {on=0} on && /^R[0-9]/ && $2 != "-" {print $1, $2}' "$1" | sort; }
counts "$WORK/bt.txt" > "$WORK/bt.counts"
[ "$(wc -l < "$WORK/live.counts")" -ge 5 ] || fail "only $(wc -l < "$WORK/live.counts") rules fired live"
if ! cmp -s "$WORK/live.counts" "$WORK/bt.counts"; then
  diff "$WORK/live.counts" "$WORK/bt.counts" >&2 || true
  fail "backtest per-rule counts differ from the live run's"
fi
n=$(head -1 "$WORK/bt.txt" | awk '{print $2}')
[ "$n" -eq "$(wc -l < "$WORK/scored.jsonl")" ] || fail "backtest saw $n events, the live run scored $(wc -l < "$WORK/scored.jsonl")"
pass "backtest over $n events: per-rule hits equal the live run's ($(tr '\n' ' ' < "$WORK/bt.counts"))"
"$PAXFLOW" rules backtest --brokers "$BROKERS" --topic.prefix "$PREFIX" "$RULES" --events "$WORK/events.pfev" --against builtin \
  --secret.file "$WORK/secret" > "$WORK/bt-file.txt" 2> "$WORK/bt-file.log" \
  || fail "backtest from a file failed: $(tail -3 "$WORK/bt-file.log")"
cmp -s <(counts "$WORK/bt-file.txt") "$WORK/bt.counts" || fail "the event file gives other counts than the topics"
pass "the same events from an event file give the same counts"
rc=0
"$PAXFLOW" rules backtest --brokers "$BROKERS" --topic.prefix "$PREFIX" "$ROOT/tests/data/rules/bad/type_mismatch.rules" --secret.file "$WORK/secret" \
  > /dev/null 2> "$WORK/bad.txt" || rc=$?
[ "$rc" -eq 1 ] && grep -q 'type_mismatch.rules:[0-9]*:[0-9]*' "$WORK/bad.txt" \
  || fail "a broken candidate gave exit $rc: $(cat "$WORK/bad.txt")"
pass "a candidate that does not compile is refused with its file:line:col"
