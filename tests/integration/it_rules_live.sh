#!/usr/bin/env bash
# A worker scoring with the rule language (rules.file = rules/default.rules) on the real broker:
# one result per event, each naming the rule set's version; the catalogue rules that the
# generated traffic exercises fire, rule 13 on the planted frequent travellers; no reason
# quotes a traveller's name.
source "$(dirname "$0")/lib.sh"
pf topics create --partitions 3 > /dev/null
pf gen --seed 17 --hours 1 --flights.per.hour 10 --pax.per.flight 120 --bad.payloads 0 \
  --truth "$WORK/truth.jsonl" > /dev/null
pf run --group.id "$PREFIX" --state.dir "$WORK/state" --secret.file "$WORK/secret" \
  --rules.file "$ROOT/rules/default.rules" --idle.exit.ms 3000 --log.level warn \
  > "$WORK/summary.txt" 2> "$WORK/worker.log" || { tail -5 "$WORK/worker.log" >&2; fail "worker failed"; }
pf consume --topic scored > "$WORK/scored.jsonl"
pf consume --topic events.api > "$WORK/in.jsonl"; pf consume --topic events.pnr >> "$WORK/in.jsonl"
N=$(jq -r .event_id "$WORK/in.jsonl" | sort -u | wc -l)
R=$(wc -l < "$WORK/scored.jsonl"); U=$(jq -r .event_id "$WORK/scored.jsonl" | sort -u | wc -l)
[ "$R" -eq "$N" ] && [ "$U" -eq "$N" ] || fail "$R results ($U distinct) for $N events"
version=$(sed -n 's/^ruleset "\(.*\)"/\1/p' "$ROOT/rules/default.rules" | head -1)
[ -n "$version" ] || fail "no ruleset version in rules/default.rules"
[ "$(jq -r .ruleset_version "$WORK/scored.jsonl" | sort -u)" = "$version" ] \
  || fail "results do not all name ruleset $version"
fired=$(jq -r '.hits[].rule_id' "$WORK/scored.jsonl" | sort -u | paste -sd' ')
for r in R03 R05 R07 R13; do [[ " $fired " == *" $r "* ]] || fail "$r never fired (fired: $fired)"; done
planted=$(jq -r 'select(.pattern == "R13_FREQUENT_TRIPS") | .event_ids[]' "$WORK/truth.jsonl" | sort -u)
hit13=$(jq -r 'select(.hits | map(.rule_id) | index("R13")) | .event_id' "$WORK/scored.jsonl" | sort -u)
[ -z "$(comm -13 <(echo "$planted") <(echo "$hit13"))" ] || fail "R13 fired outside the planted travellers"
P=$(jq -r 'select(.pattern == "R13_FREQUENT_TRIPS") | .traveller' "$WORK/truth.jsonl" | wc -l)
refs=$(jq -r 'select(.hits | map(.rule_id) | index("R13")) | .traveller_ref' "$WORK/scored.jsonl" | sort -u | wc -l)
[ "$refs" -eq "$P" ] || fail "R13 hit $refs travellers, $P planted"
jq -r '.traveller.surname' "$WORK/in.jsonl" | sort -u | awk 'length > 5' > "$WORK/surnames"
if jq -r '.hits[].reason' "$WORK/scored.jsonl" | grep -qiFf "$WORK/surnames"; then fail "a reason quotes a surname"; fi
pass "rule language live: $N results naming ruleset $version; rules fired: $fired; R13 on the $P planted travellers only"
