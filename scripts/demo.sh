#!/usr/bin/env bash
# The quickstart: installs what is missing, builds, starts a local Kafka broker, creates the topics,
# generates a peak hour of departures at a hub, runs a worker over it and prints a summary.
# Every run uses fresh topics (prefix demo-<time>) and writes to demo-out/.
# Environment: DEMO_FLIGHTS (departures in the hour, default 60), DEMO_PAX (mean per flight, 150),
#              DEMO_SEED (42), PAXFLOW_KAFKA_PORT (19092).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

bash scripts/setup.sh
bash scripts/build.sh release
bash scripts/kafka.sh start

PF="$ROOT/build/paxflow"
OUT="$ROOT/demo-out"
PREFIX="demo-$(date +%Y%m%d%H%M%S)"
BROKERS=$(bash scripts/kafka.sh bootstrap)
rm -rf "$OUT" && mkdir -p "$OUT"
# The pseudonymisation secret: in production it comes from a Secret; here a random one.
head -c 32 /dev/urandom > "$OUT/secret"
common=(--brokers "$BROKERS" --topic.prefix "$PREFIX")

echo "== topics ($PREFIX) =="
"$PF" topics create "${common[@]}" --partitions 6
echo "== generating a peak hour at FRA =="
"$PF" gen "${common[@]}" --seed "${DEMO_SEED:-42}" --hours 1 \
  --flights.per.hour "${DEMO_FLIGHTS:-60}" --pax.per.flight "${DEMO_PAX:-150}" \
  --truth "$OUT/truth.jsonl"
echo "== loading a watchlist with 20 planted entries =="
# 10 entries on the documents of generated travellers (written as an officer might: lower case,
# dashes) and 10 on their names with a typo and only the birth year.
"$PF" consume "${common[@]}" --topic events.api | jq -c 'select(._error == null and .document != null)' \
  | awk 'NR % 500 == 1 && n < 20 { print; n++ }' > "$OUT/picked.jsonl"
jq -c -s 'to_entries[] | .key as $i | .value as $e
  | if $i < 10 then
      {entry_id: "DEMO-DOC-\($i)", list: "SLTD", category: "STOLEN_DOCUMENT", severity: "HIGH", names: [],
       documents: [{number: ($e.document.number | ascii_downcase | .[0:3] + "-" + .[3:]),
                    issuing_country: $e.document.issuing_country, type: "PASSPORT"}]}
    else
      {entry_id: "DEMO-NAME-\($i)", list: "NATIONAL", category: "SERIOUS_CRIME", severity: "CRITICAL",
       names: [{given_names: $e.traveller.given_names,
                surname: ($e.traveller.surname | if length > 4 then .[0:2] + .[3:4] + .[2:3] + .[4:] else . end)}],
       date_of_birth: ($e.traveller.date_of_birth // "" | .[0:4]), documents: []}
    end' "$OUT/picked.jsonl" > "$OUT/watchlist.jsonl"
"$PF" watchlist load "${common[@]}" "$OUT/watchlist.jsonl"
echo "== running the worker (exits when the input is consumed) =="
"$PF" run "${common[@]}" --group.id "$PREFIX" --state.dir "$OUT/state" \
  --secret.file "$OUT/secret" --idle.exit.ms 3000 --log.level warn 2> "$OUT/worker.log" \
  | tee "$OUT/summary.txt"

"$PF" consume "${common[@]}" --topic scored > "$OUT/scored.jsonl"
echo "  watchlist hits  $(jq -r 'select(.hits | map(.rule_id) | (index("R01") or index("R02"))) | .traveller_ref' "$OUT/scored.jsonl" | sort -u | wc -l) travellers ($(jq -r '.hits[].rule_id' "$OUT/scored.jsonl" | grep -c '^R01$') R01 document hits, $(jq -r '.hits[].rule_id' "$OUT/scored.jsonl" | grep -c '^R02$') R02 name hits)"
# Dead letters: each should be one the generator planted on purpose.
"$PF" consume "${common[@]}" --topic dlq > "$OUT/dlq.jsonl"
planted=$(jq -r 'select(.pattern == "BAD_PAYLOAD_VALUE") | .value_hex' "$OUT/truth.jsonl" | sort)
got=$(jq -r '.original_value' "$OUT/dlq.jsonl" | sort)
unexpected=$(comm -13 <(echo "$planted") <(echo "$got") | grep -c . || true)
echo "  planted bad     $(echo "$planted" | grep -c .)  (dead letters expected)"
echo "  unexpected DLQ  $unexpected"
echo
echo "Outputs: topics $PREFIX.scored / .alerts / .dlq; 'build/paxflow consume --topic.prefix $PREFIX --topic alerts | head' shows alerts."
echo "Worker log: $OUT/worker.log. Stop the broker with scripts/kafka.sh stop."
[ "$unexpected" -eq 0 ]
