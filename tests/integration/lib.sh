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
