#!/usr/bin/env bash
# The watchlist is a global table: entries published while a worker runs change the next result
# of a matching traveller (rule 1 on the document, rule 2 on name and date of birth), and a
# tombstone removes the hit, with no restart. A bad watchlist file publishes nothing.
source "$(dirname "$0")/lib.sh"
MKEVENTS=${2:?usage: $0 PAXFLOW PF_MKEVENTS}
pf topics create --partitions 3 > /dev/null
"$PAXFLOW" run --brokers "$BROKERS" --topic.prefix "$PREFIX" --group.id "$PREFIX" \
  --state.dir "$WORK/state" --secret.file "$WORK/secret" --commit.interval.ms 50 \
  --log.level info > "$WORK/summary.txt" 2> "$WORK/worker.log" &
pid=$!
trap 'kill -TERM $pid 2> /dev/null || true; wait $pid 2> /dev/null || true; rm -rf "$WORK"' EXIT

# round TAG: 4 canary travellers' events, then wait for their results; prints their hits.
round() {
  "$MKEVENTS" "$WORK/$1.pfev" 4 "$1"
  pf produce "$WORK/$1.pfev" > /dev/null
  for _ in $(seq 1 150); do
    n=$(pf consume --topic scored | jq -r "select(.event_id | startswith(\"$1-\")) | .event_id" | wc -l)
    [ "$n" -ge 20 ] && break
    sleep 0.2
  done
  [ "$n" -eq 20 ] || fail "round $1: $n results, expected 20"
  pf consume --topic scored | jq -c "select(.event_id | startswith(\"$1-\"))
    | {t: (.event_id | split(\"-\")[1]), hits: [.hits[] | select(.rule_id == \"R01\" or .rule_id == \"R02\") | .rule_id + \":\" + .reason], m: [.watchlist_matches[] | .entry_id + \":\" + .kind]}" \
    > "$WORK/$1.hits"
}
hits_of() { jq -r "select(.t == \"$2\") | .hits[]" "$WORK/$1.hits" | sort -u; }

round before
[ -z "$(jq -r '.hits[]' "$WORK/before.hits")" ] || fail "watchlist hits before any entry was loaded"
pass "no watchlist hit before the entries exist"

printf '%s\n' '{"entry_id":"bad-1","list":"X"}' > "$WORK/bad.jsonl"
pf watchlist load "$WORK/bad.jsonl" 2> "$WORK/bad.err" && fail "a bad watchlist file was accepted"
grep -q 'bad.jsonl:1:' "$WORK/bad.err" || fail "no file:line error: $(cat "$WORK/bad.err")"
cat > "$WORK/wl.jsonl" << 'JSON'
{"entry_id":"SLTD-CANARY-1","list":"SLTD","category":"STOLEN_DOCUMENT","severity":"HIGH","names":[],"documents":[{"number":"privdoc-1x","issuing_country":"DE","type":"PASSPORT"}]}
{"entry_id":"RED-CANARY-2","list":"INTERPOL-RED","category":"SERIOUS_CRIME","severity":"CRITICAL","names":[{"given_names":"CUNEGONDA","surname":"Kavendrake"}],"date_of_birth":"1977-07-03","nationality":"DEU","documents":[]}
JSON
pf watchlist load "$WORK/wl.jsonl" > /dev/null
sleep 2
round loaded
hits_of loaded 1 | grep -q '^R01:.*SLTD-CANARY-1' || fail "document entry did not hit traveller 1: $(cat "$WORK/loaded.hits")"
hits_of loaded 2 | grep -q '^R02:.*RED-CANARY-2' || fail "name+DOB entry did not hit traveller 2: $(cat "$WORK/loaded.hits")"
[ -z "$(hits_of loaded 0)$(hits_of loaded 3)" ] || fail "travellers 0 and 3 hit an entry: $(cat "$WORK/loaded.hits" | sort -u)"
grep -qi 'PRIVDOC1X\|Cavendrake\|Cunegonda' "$WORK/loaded.hits" && fail "a reason quotes a document number or a name"
pass "entries published while running: R01 (document) and R02 (name + DOB) on the next events"

pf watchlist delete SLTD-CANARY-1 RED-CANARY-2 > /dev/null
sleep 2
round deleted
[ -z "$(jq -r '.hits[]' "$WORK/deleted.hits")" ] || fail "hits after the tombstones: $(cat "$WORK/deleted.hits")"
pass "tombstones removed both hits without a restart"
