#!/usr/bin/env bash
# No traveller's name, document number, phone or e-mail in clear anywhere paxflow writes: its logs
# (at debug level), its /metrics, the results, alerts and dead-letter topics, the state changelog, the
# flags topic (digests of hit travellers' contacts, R15/R16) and the RocksDB files. Canary travellers
# with distinctive values go through a worker running rules/default.rules, half of them listed by
# document so that they are hit and their phone, e-mail and booking reach the flags topic; then
# every one of those places is searched for each value, in clear and hex-encoded.
# Not searched, by design: the input topics and the internal repartition topic, which carry the
# airline's original messages.
source "$(dirname "$0")/lib.sh"
MKEVENTS=${2:?usage: $0 PAXFLOW PF_MKEVENTS}
COUNT=50
pf topics create --partitions 3 > /dev/null
"$MKEVENTS" "$WORK/canaries.pfev" "$COUNT"
for n in $(seq 0 2 $((COUNT - 1))); do
  printf '{"entry_id":"PRIV-%d","list":"TEST","category":"C","documents":[{"number":"PRIVDOC%dX","issuing_country":"DEU","type":"PASSPORT"}]}\n' "$n" "$n"
done > "$WORK/wl.jsonl"
pf watchlist load "$WORK/wl.jsonl" > /dev/null
pf produce "$WORK/canaries.pfev" > /dev/null
pf gen --seed 13 --hours 1 --flights.per.hour 3 --pax.per.flight 60 > /dev/null
PORT=$((20000 + RANDOM % 20000))
"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" --group.id "$PREFIX" \
  --state.dir "$WORK/state" --secret.file "$WORK/secret" --metrics.port "$PORT" \
  --metrics.bind 127.0.0.1 --idle.exit.ms 3000 --log.level debug \
  --rules.file "$ROOT/rules/default.rules" \
  > "$WORK/summary.txt" 2> "$WORK/worker.log" &
pid=$!
# Keep the last /metrics scrape of the running worker (labels and values).
while kill -0 "$pid" 2> /dev/null; do
  curl -sf "http://127.0.0.1:$PORT/metrics" > "$WORK/metrics.next" && mv "$WORK/metrics.next" "$WORK/metrics.txt"
  sleep 0.5
done
wait "$pid" || fail "worker failed"
[ -s "$WORK/metrics.txt" ] || fail "no /metrics scrape"
for t in scored alerts dlq changelog flags; do pf consume --topic "$t" > "$WORK/topic-$t.jsonl"; done
got=$(jq -r 'select(.event_id | startswith("canary-")) | .event_id' "$WORK/topic-scored.jsonl" | wc -l)
[ "$got" -eq $((COUNT * 5)) ] || fail "$got canary results, expected $((COUNT * 5))"
# the flags topic is searched below; it must hold the listed canaries' contacts ('F' records)
flagged=$(jq -r '._key_hex // empty | select(startswith("46"))' "$WORK/topic-flags.jsonl" | wc -l)
[ "$flagged" -ge $((COUNT / 2)) ] || fail "only $flagged flag records for $((COUNT / 2)) listed canaries"
[ -s "$WORK/worker.log" ] || fail "empty worker log"
[ "$(find "$WORK/state" -type f | wc -l)" -gt 0 ] || fail "no state files"

hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
places=("$WORK/worker.log" "$WORK/summary.txt" "$WORK/metrics.txt" "$WORK"/topic-*.jsonl)
checked=0
while IFS= read -r v; do
  [ -n "$v" ] || continue
  for form in "$v" "$(hex "$v")"; do
    if grep -aqiF -- "$form" "${places[@]}"; then fail "\"$v\" found: $(grep -aliF -- "$form" "${places[@]}" | head -3)"; fi
    if grep -raqiF -- "$form" "$WORK/state"; then fail "\"$v\" found in the RocksDB files"; fi
    checked=$((checked + 1))
  done
done < "$WORK/canaries.pfev.values"
[ "$checked" -ge $((COUNT * 6 * 2)) ] || fail "only $checked values checked"
pass "$checked canary values (clear and hex) absent from logs, metrics, results, alerts, DLQ, changelog, flags ($flagged records) and RocksDB files"
