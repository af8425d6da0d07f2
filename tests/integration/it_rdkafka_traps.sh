#!/usr/bin/env bash
# The librdkafka 2.0.2 traps of issue 3 that can be checked without a broker (the others are
# exercised on the real broker: the coordinator outage of #5456 by it_kill's broker restart).
#  - Batch consume APIs are unsafe alongside a concurrent seek, pause or rebalance before 2.1.0:
#    the worker must not call any of them (it polls one message at a time), so the binary must
#    not even import them.
#  - cooperative-sticky can loop forever (#4800) and lose the assignment on a commit during a
#    rebalance (#4908) before 2.6.1: `paxflow run` refuses it with exit 2 (it_config checks the
#    message); the worker never sets the strategy, so librdkafka's default (range,roundrobin:
#    eager) applies.
set -euo pipefail
PAXFLOW=${1:?usage: $0 PATH_TO_PAXFLOW}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nm > /dev/null || fail "nm (binutils) is needed"
imports=$(nm -D --undefined-only "$PAXFLOW" | awk '{print $NF}' | sed 's/@.*//')
grep -q '^rd_kafka_consumer_poll$' <<< "$imports" || fail "paxflow does not import rd_kafka_consumer_poll: is it linked dynamically?"
bad=$(grep -E '^rd_kafka_consume_(batch|batch_queue|callback|callback_queue)$' <<< "$imports" || true)
[ -z "$bad" ] || fail "paxflow imports librdkafka batch-consume APIs: $bad"
echo "ok - no batch-consume API imported; messages are polled one at a time"
out=$("$PAXFLOW" run -X partition.assignment.strategy=cooperative-sticky 2>&1 >/dev/null) && rc=0 || rc=$?
[ "$rc" -eq 2 ] || fail "cooperative-sticky not refused (exit $rc): $out"
grep -q 'partition.assignment.strategy' "$ROOT/workers/worker.c" && fail "the worker sets a partition.assignment.strategy"
echo "ok - cooperative-sticky refused: $(grep -o 'librdkafka [0-9.]*' <<< "$out" | head -1)"
