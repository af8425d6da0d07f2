# Shared helpers of the integration tests. Sourced, not run.
# The broker is the real local Kafka that scripts/kafka.sh runs; scripts/test.sh starts it.
set -euo pipefail

PAXFLOW=${1:?usage: $0 PATH_TO_PAXFLOW}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BROKERS=$("$ROOT/scripts/kafka.sh" bootstrap)
# Every test run gets its own topics and state, so runs never see each other's data.
PREFIX="it-$(basename "$0" .sh)-$$-$RANDOM"
WORK=$(mktemp -d "/tmp/paxflow-it.XXXXXX")
[ -n "${KEEP_WORK:-}" ] || trap 'rm -rf "$WORK"' EXIT
head -c 32 /dev/urandom > "$WORK/secret"

if ! "$ROOT/scripts/kafka.sh" status >/dev/null; then
  echo "FAIL: no local broker; start it with scripts/kafka.sh start" >&2
  exit 1
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

# pf SUBCOMMAND [options...]: paxflow against this test's broker and topics.
pf() {
  local cmd=$1; shift
  "$PAXFLOW" "$cmd" --brokers "$BROKERS" --topic.prefix "$PREFIX" "$@"
}

# supervise ID [run options...]: runs worker ID in the group of this test's topics, restarting it
# whenever it dies, as Kubernetes would, until it exits 0 (idle exit: everything consumed).
# Output: $WORK/summary-ID.txt, $WORK/worker-ID.log; restarts are noted in $WORK/chaos.log.
supervise() {
  local id=$1 rc
  shift
  while :; do
    rc=0
    "$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" --group.id "$PREFIX" \
      --worker.id "$id" --state.dir "$WORK/state-$id" --secret.file "$WORK/secret" "$@" \
      >> "$WORK/summary-$id.txt" 2>> "$WORK/worker-$id.log" || rc=$?
    [ "$rc" -eq 0 ] && break
    echo "$(date +%T) worker $id exited $rc, restarting" >> "$WORK/chaos.log"
    sleep 1
  done
}

# kill_one ID...: kill -9 one running worker among the IDs (started by supervise), chosen at
# random; if the choice is between a death and its restart, tries again shortly (bounded), so
# that every kill lands on a live worker. Notes the kill (or its absence) in $WORK/chaos.log.
kill_one() {
  local id pid=""
  for _ in $(seq 1 40); do
    id=${@:$((1 + RANDOM % $#)):1}
    pid=$(pgrep -f -- "--worker.id $id --state.dir $WORK/state-$id" | head -1 || true)
    [ -n "$pid" ] && kill -9 "$pid" 2> /dev/null && break
    pid=""
    sleep 0.25
  done
  if [ -n "$pid" ]; then
    echo "$(date +%T) kill -9 $id (pid $pid)" >> "$WORK/chaos.log"
  else
    echo "$(date +%T) no worker running at a kill" >> "$WORK/chaos.log"
  fi
}

# consume PREFIX ROLE: every committed record of a topic of PREFIX, as JSON lines.
consume() { "$PAXFLOW" consume --brokers "$BROKERS" --topic.prefix "$1" --topic "$2" --timeout.ms 60000; }
# The fields of a ScoredResult that must not depend on timing (not the processing time).
project='{event_id, traveller_ref, source, flight, score, band, hits, watchlist_matches, ruleset_version, event_time}'

# await_results PREFIX N OUT: PREFIX's scored results, projected and sorted, into OUT, read again
# until N distinct event ids are visible (at most 30 tries). A transaction whose commit a killed
# worker had started is completed by the broker on its own, and after a broker restart writing
# its commit markers can take a while.
await_results() {
  local attempt
  for attempt in $(seq 1 30); do
    consume "$1" scored | jq -c "$project" | sort > "$3"
    [ "$(jq -r .event_id "$3" | sort -u | wc -l)" -ge "$2" ] && return 0
    echo "attempt $attempt: $(wc -l < "$3") of $2 results visible yet"
    sleep 3
  done
}
