#!/usr/bin/env bash
# End to end on the real broker: generated traffic in, exactly one ScoredResult per valid event
# out, rule 13 on exactly the planted frequent travellers, every planted bad payload in the DLQ.
source "$(dirname "$0")/lib.sh"

pf topics create --partitions 3 > /dev/null
pf gen --seed 7 --hours 1 --flights.per.hour 16 --pax.per.flight 130 --frequent.travellers 8 \
  --bad.payloads 14 --truth "$WORK/truth.jsonl" > "$WORK/gen.txt"
cat "$WORK/gen.txt"
pf run --group.id "$PREFIX" --state.dir "$WORK/state" --secret.file "$WORK/secret" \
  --idle.exit.ms 4000 --log.level warn > "$WORK/summary.txt" 2> "$WORK/worker.log" \
  || { cat "$WORK/worker.log" >&2; fail "worker exited non-zero"; }
cat "$WORK/summary.txt"

pf consume --topic events.api > "$WORK/api.jsonl"
pf consume --topic events.pnr > "$WORK/pnr.jsonl"
pf consume --topic scored > "$WORK/scored.jsonl"
pf consume --topic dlq > "$WORK/dlq.jsonl"

# The valid input events: everything that decodes, minus the planted bad payloads.
jq -r 'select(.pattern == "BAD_PAYLOAD_VALUE") | .event_id' "$WORK/truth.jsonl" | sort -u > "$WORK/bad_ids"
cat "$WORK/api.jsonl" "$WORK/pnr.jsonl" | jq -r 'select(._error == null) | .event_id' | sort \
  | comm -23 - "$WORK/bad_ids" > "$WORK/expected_ids"
N=$(wc -l < "$WORK/expected_ids")
[ "$N" -ge 10000 ] || fail "only $N valid events generated; the test needs at least 10000"
[ "$(sort -u "$WORK/expected_ids" | wc -l)" -eq "$N" ] || fail "generated event ids are not unique"

jq -r '.event_id' "$WORK/scored.jsonl" | sort > "$WORK/scored_ids"
R=$(wc -l < "$WORK/scored_ids")
[ "$R" -eq "$N" ] || fail "$R ScoredResults for $N valid events"
U=$(sort -u "$WORK/scored_ids" | wc -l)
[ "$U" -eq "$N" ] || fail "$((R - U)) duplicated ScoredResults"
cmp -s "$WORK/expected_ids" "$WORK/scored_ids" || fail "scored event ids differ from the input's"
pass "$N valid events, $R ScoredResults, one per event id"

# Rule 13: fires for every planted frequent traveller and for no one else.
jq -r 'select(.hits | map(.rule_id) | index("R13")) | .event_id' "$WORK/scored.jsonl" | sort -u > "$WORK/r13_ids"
jq -r 'select(.pattern == "R13_FREQUENT_TRIPS") | .event_ids[]' "$WORK/truth.jsonl" | sort -u > "$WORK/planted_ids"
P=$(jq -r 'select(.pattern == "R13_FREQUENT_TRIPS") | .traveller' "$WORK/truth.jsonl" | wc -l)
[ "$P" -gt 0 ] || fail "the generator planted no frequent travellers"
extra=$(comm -23 "$WORK/r13_ids" "$WORK/planted_ids" | wc -l)
[ "$extra" -eq 0 ] || fail "rule 13 fired on $extra events of travellers who were not planted"
while read -r ids; do
  echo "$ids" | jq -r '.[]' | sort > "$WORK/one"
  [ "$(comm -12 "$WORK/one" "$WORK/r13_ids" | wc -l)" -gt 0 ] \
    || fail "rule 13 never fired for planted traveller $(echo "$ids" | head -c 60)"
done < <(jq -c 'select(.pattern == "R13_FREQUENT_TRIPS") | .event_ids' "$WORK/truth.jsonl")
# Rule 13 results also name the traveller by one pseudonymous ref per planted person.
refs=$(jq -r 'select(.hits | map(.rule_id) | index("R13")) | .traveller_ref' "$WORK/scored.jsonl" | sort -u | wc -l)
[ "$refs" -eq "$P" ] || fail "rule 13 hit $refs distinct travellers, $P were planted"
pass "rule 13 fired for all $P planted frequent travellers and no one else"

# Dead letters: every planted bad payload, byte for byte, with the expected code and a reason.
B=$(jq -r 'select(.pattern == "BAD_PAYLOAD_VALUE") | .value_hex' "$WORK/truth.jsonl" | wc -l)
[ "$B" -ge 7 ] || fail "only $B bad payloads planted"
D=$(wc -l < "$WORK/dlq.jsonl")
[ "$D" -eq "$B" ] || fail "$D dead letters for $B planted bad payloads"
while IFS=$'\t' read -r expect hex; do
  jq -s -e --arg v "$hex" --arg c "$expect" \
    'any(.[]; .original_value == $v and .error_code == $c and (.reason | length) > 10
              and .partition >= 0 and (.topic | length) > 0 and .offset >= 0)' \
    "$WORK/dlq.jsonl" > /dev/null || fail "planted $expect payload not in the DLQ with its code"
done < <(jq -r 'select(.pattern == "BAD_PAYLOAD_VALUE") | [.expect, .value_hex] | @tsv' "$WORK/truth.jsonl")
codes=$(jq -r '.error_code' "$WORK/dlq.jsonl" | sort -u | tr '\n' ' ')
pass "$D dead letters, each planted payload with its code ($codes)"
