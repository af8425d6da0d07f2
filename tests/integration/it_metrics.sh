#!/usr/bin/env bash
# /metrics, /livez and /readyz of a running worker on the real broker: the exposition passes
# promtool, counters move as events flow, and /readyz turns ready only after the worker has its
# partitions and has restored their state.
source "$(dirname "$0")/lib.sh"
command -v promtool > /dev/null || fail "promtool missing (Debian package prometheus; scripts/setup.sh installs it)"
PORT=$((20000 + RANDOM % 20000))
URL="http://127.0.0.1:$PORT"
pf topics create --partitions 3 > /dev/null
"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" --group.id "$PREFIX" \
  --state.dir "$WORK/state" --secret.file "$WORK/secret" --metrics.port "$PORT" \
  --metrics.bind 127.0.0.1 --log.level info > "$WORK/summary.txt" 2> "$WORK/worker.log" &
pid=$!
trap 'kill -TERM $pid 2> /dev/null || true; wait $pid 2> /dev/null || true; rm -rf "$WORK"' EXIT

# /readyz: record every answer until it is ready.
ready_at=""
for _ in $(seq 1 300); do
  code=$(curl -s -o "$WORK/readyz" -w '%{http_code}' "$URL/readyz" || true)
  echo "$(date +%s.%N) $code $(cat "$WORK/readyz" 2> /dev/null)" >> "$WORK/readyz.log"
  if [ "$code" = 200 ]; then ready_at=$(date +%s.%N); break; fi
  sleep 0.1
done
[ -n "$ready_at" ] || fail "/readyz never became ready: $(tail -3 "$WORK/readyz.log")"
grep -q ' 503 ' "$WORK/readyz.log" || fail "/readyz was ready from the first answer: it must wait for assignment and restore"
grep -q 'restored partition' "$WORK/worker.log" || fail "ready without any restore logged"
last_restore=$(grep 'restored partition' "$WORK/worker.log" | tail -1 | jq -r .ts)
last_restore_s=$(date -d "$last_restore" +%s.%N)
awk -v r="$ready_at" -v l="$last_restore_s" 'BEGIN { exit !(r >= l) }' \
  || fail "/readyz answered 200 before the last restore finished"
pass "/readyz: $(grep -c ' 503 ' "$WORK/readyz.log") x 503 ($(grep ' 503 ' "$WORK/readyz.log" | cut -d' ' -f3- | sort -u | paste -sd';')), then 200 after the restores"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/livez")" = 200 ] || fail "/livez not 200"
pass "/livez answers 200"

curl -sf "$URL/metrics" > "$WORK/m1.txt" || fail "GET /metrics failed"
total() { awk -v n="$1" '$1 ~ "^"n"[{ ]" || $1 == n { s += $NF } END { print s + 0 }' "$2"; }
in1=$(total paxflow_events_in_total "$WORK/m1.txt")
pf gen --seed 21 --hours 1 --flights.per.hour 5 --pax.per.flight 100 > /dev/null
for _ in $(seq 1 100); do
  curl -sf "$URL/metrics" > "$WORK/m2.txt"
  [ "$(total paxflow_results_total "$WORK/m2.txt")" -gt 1000 ] && break
  sleep 0.2
done
# Lag comes from librdkafka's statistics (every 5 s), state sizes from a 5 s tick.
for _ in $(seq 1 60); do
  curl -sf "$URL/metrics" > "$WORK/m2.txt"
  grep -q '^paxflow_consumer_lag{' "$WORK/m2.txt" && grep -q '^paxflow_state_keys{' "$WORK/m2.txt" && break
  sleep 0.5
done
in2=$(total paxflow_events_in_total "$WORK/m2.txt")
[ "$in2" -gt "$in1" ] || fail "paxflow_events_in_total did not move ($in1 -> $in2)"
for m in paxflow_events_out_total paxflow_results_total paxflow_transactions_total \
         paxflow_stage_duration_seconds_count paxflow_event_latency_seconds_count \
         paxflow_dead_letters_total paxflow_rule_hits_total; do
  [ "$(total "$m" "$WORK/m2.txt")" -gt 0 ] || fail "$m is still 0 after events flowed"
done
grep -q '^paxflow_consumer_lag{' "$WORK/m2.txt" || fail "no consumer lag series"
grep -q '^paxflow_state_keys{partition=' "$WORK/m2.txt" || fail "no state size series"
grep -q '^paxflow_ruleset_info{version="builtin-1"} 1' "$WORK/m2.txt" || fail "no ruleset info"
pass "counters moved: events in $in1 -> $in2, results $(total paxflow_results_total "$WORK/m2.txt")"
promtool check metrics < "$WORK/m2.txt" > "$WORK/promtool.txt" 2>&1 \
  || fail "promtool check metrics: $(head -5 "$WORK/promtool.txt")"
pass "promtool check metrics: clean ($(grep -c '^paxflow_' "$WORK/m2.txt") series)"
kill -TERM "$pid"; wait "$pid" || fail "worker did not stop cleanly"
