#!/usr/bin/env bash
# End-to-end benchmark, exactly-once everywhere, one broker, one workload, one run:
#   (a) copy   - bench/copy/copy.c: plain librdkafka consume-produce copy (the limit)
#   (b) paxflow - build/paxflow run --processing.guarantee exactly_once_v2
#   (c) Kafka Streams peer - bench/streams-peer (same topology, rules, score)
# Each runs alone (sequentially) on its own topic prefix holding the same generated data (same seed).
# Prints a Markdown table and writes it to bench/results/e2e-<date>-<mode>.md.
#
# Usage: bench/e2e.sh [--quick|--full]     quick: 1 departure hour (~55k events); full: 4 hours
# Env:   PAXFLOW (default build/paxflow), SEED (42), PEER_THREADS (2), PEER_XMX (512m),
#        IDLE_MS (3000), RESULTS (bench/results)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODE=quick
case "${1:-}" in
  --quick | "") MODE=quick ;;
  --full) MODE=full ;;
  *) echo "usage: bench/e2e.sh [--quick|--full]" >&2; exit 2 ;;
esac
HOURS=1
[ "$MODE" = full ] && HOURS=4
PF=${PAXFLOW:-$ROOT/build/paxflow}
SEED=${SEED:-42}
IDLE_MS=${IDLE_MS:-3000}
PEER_THREADS=${PEER_THREADS:-2}
PEER_XMX=${PEER_XMX:-512m}
RESULTS=${RESULTS:-$ROOT/bench/results}
PARTS=6

log() { echo "e2e: $*" >&2; }

[ -x "$PF" ] || { log "no $PF: build paxflow first (scripts/build.sh)"; exit 1; }
if [ ! -x /usr/bin/time ]; then
  log "installing GNU time (Debian package 'time')"
  apt-get install -y -q time > /dev/null
fi
BROKERS=$("$ROOT/scripts/kafka.sh" bootstrap)
# The broker may belong to another checkout (then `kafka.sh status` says "not running" although
# the port answers): only start one when nothing listens on the bootstrap address.
if ! (exec 3<> "/dev/tcp/${BROKERS%:*}/${BROKERS##*:}") 2> /dev/null; then
  "$ROOT/scripts/kafka.sh" start
fi

WORK=$(mktemp -d /tmp/e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
P="bench-e2e-$$-$(date +%s)"

log "building the copy tool and the Kafka Streams peer"
gcc -O2 -o "$WORK/copy" "$ROOT/bench/copy/copy.c" -lrdkafka
mvn -B -q -f "$ROOT/bench/streams-peer/pom.xml" package > "$WORK/mvn.log" 2>&1 || {
  cat "$WORK/mvn.log" >&2; exit 1; }
JAR="$ROOT/bench/streams-peer/target/streams-peer.jar"
head -c 48 /dev/urandom | base64 -w0 | head -c 48 > "$WORK/secret"

log "generating the workload (seed $SEED, $HOURS departure hour(s)) into 3 prefixes $P-{copy,pf,ks}"
for s in copy pf ks; do
  "$PF" topics create --brokers "$BROKERS" --topic.prefix "$P-$s" --partitions $PARTS \
    --log.level warn > /dev/null
  "$PF" gen --brokers "$BROKERS" --topic.prefix "$P-$s" --seed "$SEED" --hours "$HOURS" \
    --log.level warn > "$WORK/gen-$s.txt"
done
GEN=$(cat "$WORK/gen-pf.txt")
for s in copy ks; do
  [ "$(sed 's/ in [0-9.]* s.*//' "$WORK/gen-$s.txt")" = "$(sed 's/ in [0-9.]* s.*//' "$WORK/gen-pf.txt")" ] ||
    { log "generated workloads differ: $(cat "$WORK/gen-$s.txt")"; exit 1; }
done
VALID=$(echo "$GEN" | sed -n 's/^generated \([0-9]*\) events.*/\1/p')
BAD=$(echo "$GEN" | sed -n 's/.*bad \([0-9]*\)).*/\1/p')
TOTAL=$((VALID + BAD))
log "$GEN"

timed() { # name, command...: runs it under GNU time
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || {
    log "$name failed:"; tail -20 "$WORK/$name.err" >&2; cat "$WORK/$name.out" >&2; exit 1; }
}
tv() { # time file, field prefix
  sed -n "s/^[[:space:]]*$2.*: //p" "$1" | head -1
}
wall_s() { # "h:mm:ss" or "m:ss.ss" -> seconds
  echo "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }'
}
count() { # topic prefix, full topic name
  "$PF" consume --brokers "$BROKERS" --topic.prefix "$1" --topic "$2" --log.level warn \
    --timeout.ms 20000 2> /dev/null | grep -vc '"_error"' || true
}

log "(a) copy"
timed copy "$WORK/copy" --brokers "$BROKERS" --prefix "$P-copy" --idle-ms "$IDLE_MS" \
  --partitions $PARTS
log "(b) paxflow"
timed pf "$PF" run --brokers "$BROKERS" --topic.prefix "$P-pf" --group.id "$P-pf" --worker.id e2e \
  --state.dir "$WORK/pf-state" --secret.file "$WORK/secret" --idle.exit.ms "$IDLE_MS" \
  --processing.guarantee exactly_once_v2 --log.level warn
log "(c) Kafka Streams peer ($PEER_THREADS stream threads, -Xmx$PEER_XMX)"
timed ks java -Xms128m "-Xmx$PEER_XMX" -jar "$JAR" --bootstrap "$BROKERS" --prefix "$P-ks" \
  --application.id "$P-ks" --secret.file "$WORK/secret" --state.dir "$WORK/ks-state" \
  --idle.exit.ms "$IDLE_MS" --threads "$PEER_THREADS" --partitions $PARTS

log "verifying output counts (read_committed)"
# The copy carries the planted bad payloads too, which do not decode: count every message.
OUT_COPY=$("$PF" consume --brokers "$BROKERS" --topic.prefix "$P-copy" --topic "$P-copy.copy-out" \
  --log.level warn --timeout.ms 20000 2> /dev/null | wc -l || true)
OUT_PF=$(count "$P-pf" "$P-pf.scored")
OUT_KS=$(count "$P-ks" "$P-ks.ks-scored")
DLQ_PF=$(count "$P-pf" "$P-pf.dlq")
DLQ_KS=$("$PF" consume --brokers "$BROKERS" --topic.prefix "$P-ks" --topic "$P-ks.ks-dlq" \
  --log.level warn --timeout.ms 20000 2> /dev/null | wc -l || true)

eps_of() { sed -n 's/^[[:space:]]*events\/s[[:space:]]*\([0-9.]*\).*/\1/p' "$WORK/$1.out" | head -1; }
in_of() { sed -n 's/^[[:space:]]*events\( in\)\{0,1\}[[:space:]]*\([0-9]*\).*/\2/p' "$WORK/$1.out" | head -1; }
declare -A EPS IN CPU RSS WALL CPM
for s in copy pf ks; do
  EPS[$s]=$(eps_of $s)
  IN[$s]=$(in_of $s)
  u=$(tv "$WORK/$s.time" "User time"); k=$(tv "$WORK/$s.time" "System time")
  CPU[$s]=$(awk -v u="$u" -v k="$k" 'BEGIN { printf "%.2f", u + k }')
  RSS[$s]=$(awk -v r="$(tv "$WORK/$s.time" "Maximum resident set size")" 'BEGIN { printf "%.0f", r / 1024 }')
  WALL[$s]=$(wall_s "$(tv "$WORK/$s.time" "Elapsed (wall clock) time")")
  CPM[$s]=$(awk -v c="${CPU[$s]}" -v n="${IN[$s]}" 'BEGIN { printf "%.2f", (n > 0 ? c * 1e6 / n : 0) }')
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
ok() { [ "$1" = "$2" ] && echo "ok" || echo "**MISMATCH**"; }

DATE=$(date +%F)
mkdir -p "$RESULTS"
OUTFILE="$RESULTS/e2e-$DATE-$MODE.md"
{
  echo "# End-to-end benchmark, $MODE mode ($DATE)"
  echo
  echo "One local Kafka 4.1.1 broker ($BROKERS, KRaft, single node), $PARTS partitions per topic,"
  echo "exactly-once in all three systems, commit interval 100 ms. Workload: \`paxflow gen --seed $SEED"
  echo "--hours $HOURS\`: $TOTAL input events ($VALID valid, $BAD planted bad payloads), written"
  echo "identically to three prefixes; the systems ran one after the other on a $(nproc)-core machine"
  echo "shared with other users (numbers are noisy; rerun before quoting them)."
  echo
  echo "| system | events in | outputs (expected) | events/s | process wall s | CPU s | CPU s / 1M events | peak RSS MiB |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|"
  echo "| (a) librdkafka copy, EOS | ${IN[copy]} | $OUT_COPY copies ($TOTAL, $(ok "$OUT_COPY" "$TOTAL")) | ${EPS[copy]} | ${WALL[copy]} | ${CPU[copy]} | ${CPM[copy]} | ${RSS[copy]} |"
  echo "| (b) paxflow, exactly_once_v2 | ${IN[pf]} | $OUT_PF results + $DLQ_PF DLQ ($VALID + $BAD, $(ok "$OUT_PF/$DLQ_PF" "$VALID/$BAD")) | ${EPS[pf]} | ${WALL[pf]} | ${CPU[pf]} | ${CPM[pf]} | ${RSS[pf]} |"
  echo "| (c) Kafka Streams 4.1.1 peer, exactly_once_v2, $PEER_THREADS threads | ${IN[ks]} | $OUT_KS results + $DLQ_KS DLQ ($VALID + $BAD, $(ok "$OUT_KS/$DLQ_KS" "$VALID/$BAD")) | ${EPS[ks]} | ${WALL[ks]} | ${CPU[ks]} | ${CPM[ks]} | ${RSS[ks]} |"
  echo
  echo "| ratio | events/s | CPU s / 1M events | peak RSS |"
  echo "|---|---:|---:|---:|"
  echo "| paxflow / copy | $(ratio "${EPS[pf]}" "${EPS[copy]}") | $(ratio "${CPM[pf]}" "${CPM[copy]}") | $(ratio "${RSS[pf]}" "${RSS[copy]}") |"
  echo "| paxflow / Kafka Streams | $(ratio "${EPS[pf]}" "${EPS[ks]}") | $(ratio "${CPM[pf]}" "${CPM[ks]}") | $(ratio "${RSS[pf]}" "${RSS[ks]}") |"
  echo
  echo "- **events/s** is each tool's own report, defined the same way in all three: stage-1 input"
  echo "  events / (first input message to the last message handled), as \`paxflow run\` prints it."
  echo "  It excludes start-up, group join and the idle wait before exit; **process wall s** (GNU time)"
  echo "  includes them (and $IDLE_MS ms of idle wait), so it is not a throughput figure."
  echo "- **CPU s** and **peak RSS** are GNU \`time -v\` of the whole process (user + system), including"
  echo "  start-up (for the JVM: class loading and JIT) and the idle wait."
  echo "- Outputs are counted with \`paxflow consume\` (read_committed) on each system's output topic."
  echo "- Latency at half of peak rate (the p99 <= 150 ms target) is not measured yet: out of scope of"
  echo "  this harness for now."
  echo "- The Streams peer does less than paxflow (no watchlist screening, no metrics, raw-bytes"
  echo "  dead letters): see bench/results/e2e-notes.md."
} > "$OUTFILE"
cat "$OUTFILE"
log "written to $OUTFILE (topics $P-* are left on the broker)"
# The same figures as JSON, and the plots (Debian's python3-matplotlib).
JSON="${OUTFILE%.md}.json"
sysjson() {
  printf '{"key": "%s", "label": "%s", "events_in": %s, "events_per_s": %s, "wall_s": %s, "cpu_s": %s, "cpu_s_per_1m": %s, "rss_mib": %s}' \
    "$1" "$2" "${IN[$1]}" "${EPS[$1]}" "${WALL[$1]}" "${CPU[$1]}" "${CPM[$1]}" "${RSS[$1]}"
}
{
  printf '{"date": "%s", "mode": "%s", "events": %s, "valid": %s, "bad": %s, "partitions": %s,\n' \
    "$DATE" "$MODE" "$TOTAL" "$VALID" "$BAD" "$PARTS"
  printf ' "ratios": {"paxflow_over_copy": %s, "paxflow_over_streams": %s},\n' \
    "$(ratio "${EPS[pf]}" "${EPS[copy]}")" "$(ratio "${EPS[pf]}" "${EPS[ks]}")"
  printf ' "systems": [%s,\n  %s,\n  %s]}\n' "$(sysjson copy "librdkafka copy")" \
    "$(sysjson pf paxflow)" "$(sysjson ks "Kafka Streams")"
} > "$JSON"
jq -e . "$JSON" > /dev/null || { log "$JSON is not valid JSON"; exit 1; }
if /usr/bin/python3 -c 'import matplotlib' 2> /dev/null; then
  /usr/bin/python3 "$ROOT/bench/plot_e2e.py" "$JSON"
else
  log "no plots: python3-matplotlib is missing (scripts/setup.sh installs it)"
fi
