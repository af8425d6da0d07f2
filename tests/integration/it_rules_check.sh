#!/usr/bin/env bash
# paxflow rules check: the shipped default set compiles; every broken file in tests/data/rules/bad
# is rejected with exit 1 and the file:line:col and message its "# expect:" line names.
set -euo pipefail
PAXFLOW=${1:?usage: $0 PATH_TO_PAXFLOW}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$("$PAXFLOW" rules check "$ROOT/rules/default.rules") || fail "default rules rejected"
[[ "$out" == *"ok, ruleset"*"18 rules"* ]] || fail "unexpected: $out"
n=0
for f in "$ROOT"/tests/data/rules/bad/*.rules; do
  expect=$(sed -n 's/^# expect: //p' "$f" | head -1)
  pos=${expect%% *}; msg=${expect#* }
  rc=0; err=$("$PAXFLOW" rules check "$f" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq 1 ] || fail "$f: exit $rc, expected 1"
  [[ "$err" == "$f:$pos: "* ]] || fail "$f: expected position $pos, got: $err"
  [[ "$err" == *"$msg"* ]] || fail "$f: message lacks \"$msg\": $err"
  n=$((n + 1))
done
[ "$n" -ge 7 ] || fail "only $n broken files"
echo "ok - default rule set compiles; $n broken rule files rejected at the expected file:line:col"
