#!/usr/bin/env bash
# Schema ids that are not shipped resolve through a real Confluent-compatible schema registry
# (scripts/registry.sh), driven through pf_registry_probe (tests/tools/registry_probe.c): a codec
# with a registry, decoding framed PassengerEvents. No broker needed.
#
# Part 1, always: without a registry an unshipped id is UNKNOWN_SCHEMA (a dead letter), exactly as
# before; with a registry url where nothing listens, it is UNAVAILABLE (retriable, never a dead
# letter) within the timeout, and shipped ids still decode.
# Part 2, with a running registry: a writer registered under <prefix>-events-api-value (shipped v2
# plus a trailing optional field, and shipped v1) resolves by the registry's id; an id the registry
# does not know is UNKNOWN_SCHEMA; while the registry is paused or stopped, a resolved id still
# decodes and an unresolved one is UNAVAILABLE; once it is back, that id resolves.
# If no registry can run on this machine, part 2 is skipped: exit 77 with the reason.
set -euo pipefail
PAXFLOW=${1:?usage: $0 PAXFLOW PF_MKEVENTS}
MKEVENTS=${2:?usage: $0 PAXFLOW PF_MKEVENTS}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROBE="$(dirname "$MKEVENTS")/pf_registry_probe"
REGISTRY="$ROOT/scripts/registry.sh"
WORK=$(mktemp -d "/tmp/paxflow-it.XXXXXX")
PREFIX="it-registry-$$-$RANDOM"
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }
[ -x "$PROBE" ] || fail "$PROBE not built (cmake --build build --target pf_registry_probe)"

PROBE_PID=""
PAUSED_PID=""
cleanup() {
  [ -z "$PAUSED_PID" ] || kill -CONT "$PAUSED_PID" 2> /dev/null || true
  if [ -n "$PROBE_PID" ]; then
    kill "$PROBE_PID" 2> /dev/null || true
    wait "$PROBE_PID" 2> /dev/null || true
  fi
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# outcome FILE LABEL: the outcome word ("OK", "UNKNOWN_SCHEMA"...) the probe gave for LABEL.
outcome() { awk -v l="$2" '$1 == l { print $2 }' "$1"; }

# expect_all FILE WORD N: N lines, all with outcome WORD.
expect_all() {
  local n
  n=$(awk -v w="$2" '$2 == w' "$1" | wc -l)
  [ "$(wc -l < "$1")" -eq "$3" ] && [ "$n" -eq "$3" ] || fail "expected $3 x $2 in $1: $(cat "$1")"
}

V2_ID=2
V1_ID=1
UNSHIPPED=424242
"$PROBE" frame 2 "$V2_ID" - 2 shipped > "$WORK/shipped.txt"
"$PROBE" frame 2 "$UNSHIPPED" 00 2 unshipped > "$WORK/unshipped.txt"

# ---------------------------------------------------------------- part 1: no registry server
"$PROBE" decode none < "$WORK/unshipped.txt" > "$WORK/out-none.txt"
expect_all "$WORK/out-none.txt" UNKNOWN_SCHEMA 2
grep -q 'schema id 424242 is not known to this worker$' "$WORK/out-none.txt" ||
  fail "the no-registry reason changed: $(cat "$WORK/out-none.txt")"
"$PROBE" decode none < "$WORK/shipped.txt" > "$WORK/out-none-shipped.txt"
expect_all "$WORK/out-none-shipped.txt" OK 2
pass "without a registry an unshipped id is UNKNOWN_SCHEMA, shipped ids decode"

# A loopback port where nothing listens: connection refused, retried, then UNAVAILABLE.
DEAD_PORT=""
for p in $(seq 18190 18199); do
  if ! timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$p" 2> /dev/null; then
    DEAD_PORT=$p
    break
  fi
done
[ -n "$DEAD_PORT" ] || fail "no free loopback port in 18190..18199"
t0=$(date +%s%N)
cat "$WORK/unshipped.txt" "$WORK/shipped.txt" |
  "$PROBE" decode "http://127.0.0.1:$DEAD_PORT/apis/ccompat/v7" 1500 > "$WORK/out-dead.txt"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(outcome "$WORK/out-dead.txt" unshipped-0)" = UNAVAILABLE ] &&
  [ "$(outcome "$WORK/out-dead.txt" unshipped-1)" = UNAVAILABLE ] ||
  fail "unreachable registry must be UNAVAILABLE: $(cat "$WORK/out-dead.txt")"
[ "$(outcome "$WORK/out-dead.txt" shipped-0)" = OK ] || fail "shipped id must not need the registry"
[ "$ms" -lt 6000 ] || fail "2 lookups of an unreachable registry took ${ms} ms (timeout 1500 ms each)"
pass "an unreachable registry gives UNAVAILABLE (retriable) in ${ms} ms, shipped ids still decode"

# The worker on the real broker: an event whose schema id only a registry could resolve, while
# the registry is unreachable, must neither be dead-lettered nor let the worker commit past it.
# The worker retries for schema.registry.outage.max.ms, then stops (exit 1); a later run without
# a registry then sees every event again (and dead-letters the unshipped ids as UNKNOWN_SCHEMA).
BROKERS=$("$ROOT/scripts/kafka.sh" bootstrap)
"$ROOT/scripts/kafka.sh" status > /dev/null || fail "no local broker; start it with scripts/kafka.sh start"
head -c 32 /dev/urandom > "$WORK/secret"
pf() {
  local cmd=$1
  shift
  "$PAXFLOW" "$cmd" --brokers "$BROKERS" --topic.prefix "$PREFIX" "$@"
}
pf topics create --partitions 2 > /dev/null
pf gen --seed 11 --hours 1 --flights.per.hour 4 --pax.per.flight 40 --bad.payloads 7 > /dev/null
rc=0
pf run --group.id "$PREFIX" --state.dir "$WORK/state" --secret.file "$WORK/secret" \
  --schema.registry.url "http://127.0.0.1:$DEAD_PORT" --schema.registry.timeout.ms 300 \
  --schema.registry.outage.max.ms 1500 --idle.exit.ms 3000 > "$WORK/run1.txt" \
  2> "$WORK/run1.log" || rc=$?
[ "$rc" -eq 1 ] || fail "a worker facing an unreachable registry exited $rc, expected 1"
grep -q 'schema registry unavailable for' "$WORK/run1.log" || fail "no outage message in the log"
D1=$(pf consume --topic dlq --timeout.ms 5000 | jq -r 'select(.error_code == "UNKNOWN_SCHEMA")' | wc -l)
[ "$D1" -eq 0 ] || fail "$D1 events dead-lettered while the registry was unreachable"
pf run --group.id "$PREFIX" --state.dir "$WORK/state" --secret.file "$WORK/secret" \
  --idle.exit.ms 3000 > "$WORK/run2.txt" 2> "$WORK/run2.log" || fail "the run without a registry failed"
D2=$(pf consume --topic dlq --timeout.ms 5000 | jq -r 'select(.error_code == "UNKNOWN_SCHEMA") | ._offset' | wc -l)
[ "$D2" -ge 1 ] || fail "without a registry the unshipped ids must be dead letters (got $D2)"
pass "a worker facing an unreachable registry stopped (exit 1) without dead-lettering; a run without one then dead-lettered the $D2 unshipped ids"

# ---------------------------------------------------------------- part 2: a real registry
rc=0
why=$("$REGISTRY" start 2>&1 > /dev/null) || rc=$?
if [ "$rc" -eq 3 ]; then
  echo "SKIP: no schema registry can run on this machine; part 2 not run. ${why#registry: }"
  exit 77
fi
[ "$rc" -eq 0 ] || fail "scripts/registry.sh start exited $rc: $why"
URL=$("$REGISTRY" url)
SUBJECT="$PREFIX-events-api-value"

# register SUBJECT SCHEMA_FILE: prints the id the registry gives the schema.
register() {
  python3 -c 'import json, sys; print(json.dumps({"schema": open(sys.argv[1]).read()}))' "$2" |
    curl -fsS -m 10 -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      --data-binary @- "$URL/subjects/$1/versions" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

# The writers: shipped v2 plus a trailing optional string (its encoding is v2's plus the union
# branch), and shipped v1 as it is. Shipped ids take precedence over the registry's, so filler
# schemas first move the registry's ids past the shipped ones (1..30). Replaying the same
# registrations after a restart of the in-memory registry gives the same ids.
python3 - "$ROOT/schemas/passenger_event.v2.avsc" "$WORK/v2-note.avsc" << 'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
schema["fields"].append({"name": "registry_note", "type": ["null", "string"], "default": None})
json.dump(schema, open(sys.argv[2], "w"))
PY
register_all() {
  local i id=0
  for i in $(seq 1 40); do
    printf '{"type":"record","name":"Filler%d","fields":[{"name":"f","type":"int"}]}' "$i" \
      > "$WORK/filler.avsc"
    id=$(register "$PREFIX-filler-$i-value" "$WORK/filler.avsc")
    [ "$id" -gt 30 ] && break
  done
  [ "$id" -gt 30 ] || fail "registry ids did not pass 30 after 40 filler schemas"
  NOTE_ID=$(register "$SUBJECT" "$WORK/v2-note.avsc")
  OLD_ID=$(register "$PREFIX-events-old-value" "$ROOT/schemas/passenger_event.v1.avsc")
}
register_all
echo "registered: v2+note id $NOTE_ID, v1 id $OLD_ID at $URL"
"$PROBE" frame 2 "$NOTE_ID" 0204686921 3 note > "$WORK/note.txt" # registry_note = "hi!"
"$PROBE" frame 1 "$OLD_ID" - 2 old > "$WORK/old.txt"
"$PROBE" frame 2 99999999 00 1 unknown > "$WORK/unknown.txt"
# The same bytes under the shipped v2 id: only the registered writer explains the last bytes.
"$PROBE" frame 2 "$V2_ID" 0204686921 1 trailing > "$WORK/trailing.txt"

cat "$WORK/note.txt" "$WORK/unknown.txt" "$WORK/trailing.txt" |
  "$PROBE" decode "$URL" 3000 > "$WORK/out-reg.txt"
for i in 0 1 2; do
  [ "$(outcome "$WORK/out-reg.txt" note-$i)" = OK ] || fail "note-$i: $(cat "$WORK/out-reg.txt")"
done
grep -q '^note-0 OK note-0$' "$WORK/out-reg.txt" || fail "wrong event decoded"
[ "$(outcome "$WORK/out-reg.txt" unknown-0)" = UNKNOWN_SCHEMA ] ||
  fail "an id the registry does not know must be UNKNOWN_SCHEMA: $(cat "$WORK/out-reg.txt")"
[ "$(outcome "$WORK/out-reg.txt" trailing-0)" = TRAILING_BYTES ] ||
  fail "the control message must fail under the shipped schema: $(cat "$WORK/out-reg.txt")"
pass "a registered writer (v2 + a field) resolves by registry id $NOTE_ID; an unknown id is UNKNOWN_SCHEMA"

# Outage: one long-lived probe, so its caches span the outage.
coproc PROBE_CO { exec "$PROBE" decode "$URL" 1500; }
PROBE_PID=$PROBE_CO_PID
# ask LINE: sends one message, prints the probe's outcome word for it.
ask() {
  local reply
  echo "$1" >&"${PROBE_CO[1]}"
  IFS= read -r -t 30 reply <&"${PROBE_CO[0]}" || fail "probe did not answer"
  echo "$reply" >> "$WORK/out-outage.txt"
  set -- $reply
  echo "$2"
}
[ "$(ask "$(sed -n 1p "$WORK/note.txt")")" = OK ] || fail "note before the outage"

pid=$(cat "${PAXFLOW_REGISTRY_DIR:-${PAXFLOW_CACHE:-$HOME/.cache/paxflow}/apicurio/run}/registry.pid")
kill -STOP "$pid"
PAUSED_PID=$pid
[ "$(ask "$(sed -n 2p "$WORK/note.txt")")" = OK ] || fail "a resolved id must decode while the registry hangs"
[ "$(ask "$(sed -n 1p "$WORK/old.txt")")" = UNAVAILABLE ] ||
  fail "an unresolved id must be UNAVAILABLE while the registry hangs: $(cat "$WORK/out-outage.txt")"
kill -CONT "$pid"
PAUSED_PID=""
[ "$(ask "$(sed -n 1p "$WORK/old.txt")")" = OK ] || fail "v1 writer after the registry resumed: $(cat "$WORK/out-outage.txt")"
pass "registry hanging: resolved id decodes, unresolved id UNAVAILABLE (not a dead letter), then resolves"

"$REGISTRY" stop > /dev/null
[ "$(ask "$(sed -n 3p "$WORK/note.txt")")" = OK ] || fail "a resolved id must decode while the registry is down"
"$PROBE" frame 1 "$OLD_ID" - 1 old2 > "$WORK/old2.txt"
# A fresh probe has nothing cached: the down registry makes every unshipped id UNAVAILABLE.
"$PROBE" decode "$URL" 1500 < "$WORK/old2.txt" > "$WORK/out-down.txt"
[ "$(outcome "$WORK/out-down.txt" old2-0)" = UNAVAILABLE ] ||
  fail "registry stopped: expected UNAVAILABLE: $(cat "$WORK/out-down.txt")"
"$REGISTRY" start > /dev/null || fail "registry restart"
old_note=$NOTE_ID old_old=$OLD_ID
register_all # in-memory storage: the restarted registry is empty
[ "$NOTE_ID" = "$old_note" ] && [ "$OLD_ID" = "$old_old" ] ||
  fail "re-registration gave other ids ($NOTE_ID, $OLD_ID vs $old_note, $old_old)"
"$PROBE" decode "$URL" 3000 < "$WORK/old2.txt" > "$WORK/out-back.txt"
[ "$(outcome "$WORK/out-back.txt" old2-0)" = OK ] || fail "after restart: $(cat "$WORK/out-back.txt")"
pass "registry stopped: resolved id decodes, fresh lookups UNAVAILABLE; after restart the id resolves"
"$REGISTRY" stop > /dev/null
