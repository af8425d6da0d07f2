#!/usr/bin/env bash
# Rules across travellers on the real broker: R15 (a phone or e-mail shared with a hit traveller)
# and R16 (travels repeatedly with a hit traveller) read the flags table that every worker builds
# from the <prefix>.flags topic (workers/flags.h). Two workers under kill -9 must find every
# planted pattern and give results equal in full to one clean worker's: the gate on the
# partitions' published progress makes what a flag lookup sees independent of timing.
source "$(dirname "$0")/lib.sh"
CLEAN="$PREFIX-clean"
KILLS=${FLAGS_KILLS:-3}
RANDOM=${FLAGS_SEED:-$$}
rules=(--rules.file "$ROOT/rules/default.rules")
gen=(--seed 11 --hours 1 --flights.per.hour 30 --pax.per.flight 120)
kx=(-X session.timeout.ms=10000 -X transaction.timeout.ms=10000)

for p in "$PREFIX" "$CLEAN"; do
  "$PAXFLOW" topics create --brokers "$BROKERS" --topic.prefix "$p" --partitions 4 > /dev/null
  "$PAXFLOW" gen --brokers "$BROKERS" --topic.prefix "$p" "${gen[@]}" --truth "$WORK/truth-$p.jsonl" \
    --watchlist.out "$WORK/wl-$p.jsonl" > "$WORK/gen-$p.txt"
  "$PAXFLOW" watchlist load --brokers "$BROKERS" --topic.prefix "$p" "$WORK/wl-$p.jsonl" > /dev/null
done
cat "$WORK/gen-$PREFIX.txt"
cmp -s "$WORK/truth-$PREFIX.jsonl" "$WORK/truth-$CLEAN.jsonl" || fail "the generator is not deterministic"
TRUTH="$WORK/truth-$PREFIX.jsonl"

t0=$(date +%s)
for id in w1 w2; do supervise "$id" --idle.exit.ms 8000 --log.level info "${rules[@]}" "${kx[@]}" & done
for _ in $(seq 1 "$KILLS"); do
  sleep $((2 + RANDOM % 4))
  kill_one w1 w2
done
wait
t1=$(date +%s)
cat "$WORK/chaos.log"
n=$(grep -c "kill -9" "$WORK/chaos.log" || true)
[ "$n" -ge "$KILLS" ] || fail "only $n of $KILLS kills landed"

"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$CLEAN" --group.id "$CLEAN" --worker.id clean \
  --state.dir "$WORK/state-clean" --secret.file "$WORK/secret" --idle.exit.ms 5000 "${rules[@]}" \
  --log.level warn > "$WORK/summary-clean.txt" 2> "$WORK/worker-clean.log" \
  || { cat "$WORK/worker-clean.log" >&2; fail "clean run failed"; }

consume "$PREFIX" events.api > "$WORK/in.jsonl"
consume "$PREFIX" events.pnr >> "$WORK/in.jsonl"
# valid events: the planted bad payloads that decode (an empty surname) go to the DLQ
N=$(jq -r 'select(._error == null and (.traveller.surname | length) > 0) | .event_id' "$WORK/in.jsonl" \
  | sort -u | wc -l)
await_results "$PREFIX" "$N" "$WORK/chaos.jsonl"
consume "$CLEAN" scored | jq -c "$project" | sort > "$WORK/clean.jsonl"
R=$(wc -l < "$WORK/chaos.jsonl")
U=$(jq -r .event_id "$WORK/chaos.jsonl" | sort -u | wc -l)
[ "$R" -eq "$N" ] && [ "$U" -eq "$N" ] || fail "$R results ($U distinct) for $N events"
pass "exactly one ScoredResult for each of $N events after $n kill -9 (chaos phase $((t1 - t0)) s)"

# Every planted pattern of R15 and R16 is found, on every event the truth says must carry it.
for pattern in R15_SHARES_CONTACT_WITH_HIT_TRAVELLER R16_TRAVELS_WITH_HIT_TRAVELLER; do
  jq -r --arg p "$pattern" 'select(.pattern == $p) | .must_hit[]' "$TRUTH" | sort -u > "$WORK/must"
  rule=${pattern%%_*}
  jq -r --arg r "$rule" 'select(.hits | map(.rule_id) | index($r)) | .event_id' "$WORK/chaos.jsonl" \
    | sort -u > "$WORK/hit"
  m=$(wc -l < "$WORK/must")
  [ "$m" -gt 0 ] || fail "the generator planted no $pattern"
  missed=$(comm -23 "$WORK/must" "$WORK/hit" | wc -l)
  [ "$missed" -eq 0 ] || fail "$pattern: $missed of $m planted events without $rule"
  pass "$pattern: all $m planted events carry $rule ($(wc -l < "$WORK/hit") $rule hits in all)"
done

if ! cmp -s "$WORK/chaos.jsonl" "$WORK/clean.jsonl"; then
  d=$(diff "$WORK/chaos.jsonl" "$WORK/clean.jsonl" | grep -c '^<' || true)
  diff "$WORK/chaos.jsonl" "$WORK/clean.jsonl" | head -6 >&2
  fail "$d results differ from the clean single-worker run"
fi
x=$(jq -r 'select(.hits | map(.rule_id) | (index("R15") or index("R16"))) | .event_id' "$WORK/chaos.jsonl" | wc -l)
pass "all $N results equal the clean single-worker run's, R15 and R16 included ($x events with them)"
