#!/usr/bin/env bash
# Hot reload of the rule set on the real broker: a worker running on the built-in rules picks up a
# rule set published to <prefix>.rules (`paxflow rules publish`) and scores the next events with
# it; a broken set published after it is rejected (logged with its position) and the worker keeps
# scoring with the last good set. Events before a change keep the version they were scored with.
# Then the standalone form: a worker started with --rules.file picks up the file's changes, and
# keeps its last good set when the file is broken.
source "$(dirname "$0")/lib.sh"
RULES="$ROOT/rules/default.rules"
BROKEN="$ROOT/tests/data/rules/bad/type_mismatch.rules"
pf topics create --partitions 2 > /dev/null
"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" --group.id "$PREFIX" --state.dir "$WORK/state" --secret.file "$WORK/secret" \
  --log.level info > "$WORK/summary.txt" 2> "$WORK/worker.log" &
WPID=$!
trap 'kill "$WPID" 2> /dev/null || true; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

ids() { { pf consume --topic events.api --timeout.ms 3000; pf consume --topic events.pnr --timeout.ms 3000; } | jq -r 'select(._error == null and (.traveller.surname | length) > 0) | .event_id' | sort -u; }
# batch NAME SEED: generate a batch, wait until each of its events has a result, keep its ids.
seen="$WORK/seen.ids"
: > "$seen"
batch() {
  pf gen --seed "$2" --hours 1 --flights.per.hour 3 --pax.per.flight 40 > /dev/null
  ids | comm -23 - "$seen" > "$WORK/$1.ids"
  sort -u "$seen" "$WORK/$1.ids" -o "$seen"
  local want n=0
  want=$(wc -l < "$seen")
  [ "$(wc -l < "$WORK/$1.ids")" -gt 100 ] || fail "batch $1 has only $(wc -l < "$WORK/$1.ids") new events"
  for _ in $(seq 1 60); do
    pf consume --topic scored --timeout.ms 3000 > "$WORK/scored.jsonl"
    n=$(jq -r .event_id "$WORK/scored.jsonl" | sort -u | wc -l)
    [ "$n" -ge "$want" ] && break
    kill -0 "$WPID" 2> /dev/null || fail "the worker died: $(tail -3 "$WORK/worker.log")"
    sleep 1
  done
  [ "$n" -eq "$want" ] || fail "batch $1: $n of $want events have a result"
  [ "$(wc -l < "$WORK/scored.jsonl")" -eq "$n" ] || fail "duplicated results"
}
# versions NAME: the rule-set versions the batch's results carry.
versions() {
  jq -r '[.event_id, .ruleset_version] | @tsv' "$WORK/scored.jsonl" | sort \
    | join -t $'\t' - "$WORK/$1.ids" | cut -f2 | sort -u | tr '\n' ' ' | sed 's/ $//'
}
wait_log() {
  for _ in $(seq 1 60); do
    grep -q "$1" "$WORK/worker.log" && return 0
    sleep 0.5
  done
  fail "no \"$1\" in the worker log"
}

batch a 31
V0=$(versions a)
[ -n "$V0" ] && [[ "$V0" != *" "* ]] || fail "batch a carries versions '$V0'"
out=$("$PAXFLOW" rules publish --brokers "$BROKERS" --topic.prefix "$PREFIX" "$RULES")
V1=$(sed -n 's/.*ruleset \([^,]*\), .*/\1/p' <<< "$out" | head -1)
[ -n "$V1" ] && [ "$V1" != "$V0" ] || fail "published version '$V1' (before: '$V0')"
wait_log "rules: applied ruleset $V1"
batch b 32
[ "$(versions b)" = "$V1" ] || fail "batch b scored with '$(versions b)', expected $V1"
[ "$(versions a)" = "$V0" ] || fail "batch a's results changed"
pass "a rule set published while the worker runs scores the next events: $V0 -> $V1"

rc=0
"$PAXFLOW" rules publish --brokers "$BROKERS" --topic.prefix "$PREFIX" "$BROKEN" > /dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "rules publish of a broken file exited $rc, expected 1"
"$PAXFLOW" rules publish --force --brokers "$BROKERS" --topic.prefix "$PREFIX" "$BROKEN" > /dev/null 2>&1 \
  || fail "rules publish --force failed"
wait_log "rules: rejected"
line=$(grep "rules: rejected" "$WORK/worker.log" | head -1)
pos=$({ "$PAXFLOW" rules check "$BROKEN" 2>&1 || true; } | sed -n 's/^[^:]*:\([0-9]*:[0-9]*\):.*/\1/p')
[ -n "$pos" ] && [[ "$line" == *".rules[0]@"*":$pos:"* ]] || fail "the rejection does not say where ($pos): $line"
[[ "$line" == *"still scoring with $V1"* ]] || fail "the rejection does not name the set kept: $line"
batch c 33
[ "$(versions c)" = "$V1" ] || fail "batch c scored with '$(versions c)' after a broken set, expected $V1"
pass "a broken rule set is rejected at its line:col ($pos) and the last good set ($V1) stays"
kill -TERM "$WPID"
wait "$WPID" || fail "the worker did not shut down cleanly"

# ---- standalone: rules.file watched on disk
PREFIX="$PREFIX-file"
: > "$seen"
cp "$RULES" "$WORK/live.rules"
pf topics create --partitions 2 > /dev/null
"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" --group.id "$PREFIX" --state.dir "$WORK/state2" \
  --secret.file "$WORK/secret" --rules.file "$WORK/live.rules" --log.level info \
  > "$WORK/summary2.txt" 2> "$WORK/worker.log" &
WPID=$!
batch d 34
[ "$(versions d)" = "$V1" ] || fail "batch d scored with '$(versions d)', expected $V1 from the file"
sed -i 's/^ruleset ".*"/ruleset "file-reload-2"/' "$WORK/live.rules"
wait_log "rules: applied ruleset file-reload-2 from"
batch e 35
[ "$(versions e)" = "file-reload-2" ] || fail "batch e scored with '$(versions e)' after the file changed"
cp "$BROKEN" "$WORK/live.rules"
wait_log "rules: rejected the changed"
batch f 36
[ "$(versions f)" = "file-reload-2" ] || fail "batch f scored with '$(versions f)' after the file broke"
pass "rules.file changes on disk score the next events; a broken file is rejected and the last good set stays"
kill -TERM "$WPID"
wait "$WPID" || fail "the second worker did not shut down cleanly"
