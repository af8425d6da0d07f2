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
echo "== running the worker (exits when the input is consumed) =="
"$PF" run "${common[@]}" --group.id "$PREFIX" --state.dir "$OUT/state" \
  --secret.file "$OUT/secret" --idle.exit.ms 3000 --log.level warn 2> "$OUT/worker.log" \
  | tee "$OUT/summary.txt"

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
