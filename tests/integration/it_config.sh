#!/usr/bin/env bash
# Every invalid configuration fails at start-up with the key, the value and what is allowed, and
# exit status 2, whichever source it comes from (flag, environment, file, -X). No broker needed.
set -euo pipefail
PAXFLOW=${1:?usage: $0 PATH_TO_PAXFLOW}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
printf 'commit.interval.ms = 50\nalert.band = HIGH\n' > "$WORK/good.conf"
printf 'alert.band = PURPLE\n' > "$WORK/bad-value.conf"
printf 'no equals sign here\n' > "$WORK/bad-line.conf"
printf 'nosuch.setting = 1\n' > "$WORK/bad-key.conf"
printf 'kafka.partition.assignment.strategy = range,cooperative-sticky\n' > "$WORK/coop.conf"

# expect STATUS "WORDS THE MESSAGE MUST HOLD (|-separated)" -- COMMAND...
n=0
expect() {
  local want=$1 words=$2; shift 3
  local rc=0 out
  out=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want: $out"
  IFS='|' read -ra ws <<< "$words"
  for w in "${ws[@]}"; do
    [[ "$out" == *"$w"* ]] || fail "'$*': message lacks \"$w\": $out"
  done
  n=$((n + 1))
}
expect 2 'commit.interval.ms|"0"|1 to 600000' -- "$PAXFLOW" run --commit.interval.ms 0
expect 2 'commit.interval.ms|"abc"|integer' -- "$PAXFLOW" run --commit.interval.ms abc
expect 2 'commit.interval.ms|"9999999"|600000' -- "$PAXFLOW" run --commit.interval.ms=9999999
expect 2 'alert.band|"FOO"|NONE, LOW, MEDIUM, HIGH, CRITICAL' -- "$PAXFLOW" run --alert.band FOO
expect 2 'processing.guarantee|"maybe"|exactly_once_v2' -- "$PAXFLOW" run --processing.guarantee maybe
expect 2 'log.level|"loud"|debug, info' -- "$PAXFLOW" run --log.level loud
expect 2 'unknown option --nosuch' -- "$PAXFLOW" run --nosuch 1
expect 2 '--seed|does not apply' -- "$PAXFLOW" run --seed 3
expect 2 'needs a value' -- "$PAXFLOW" run --group.id
expect 2 'PAXFLOW_COMMIT_INTERVAL_MS|"-5"' -- env PAXFLOW_COMMIT_INTERVAL_MS=-5 "$PAXFLOW" run
expect 2 'PAXFLOW_ALERT_BAND|"x"' -- env PAXFLOW_ALERT_BAND=x "$PAXFLOW" config dump
expect 2 'bad-value.conf:1|alert.band|"PURPLE"' -- "$PAXFLOW" run --config "$WORK/bad-value.conf"
expect 2 'bad-line.conf:1|key = value' -- "$PAXFLOW" run --config "$WORK/bad-line.conf"
expect 2 'bad-key.conf:1|unknown setting "nosuch.setting"' -- "$PAXFLOW" run --config "$WORK/bad-key.conf"
expect 2 'missing.conf|No such file' -- "$PAXFLOW" run --config "$WORK/missing.conf"
expect 2 '-X|key=value' -- "$PAXFLOW" run -X novalue
expect 2 'kafka.nosuch.prop|No such configuration property' -- "$PAXFLOW" run -X nosuch.prop=1
expect 2 'kafka.linger.ms|linger.ms' -- "$PAXFLOW" run -X linger.ms=-3
expect 2 'band.high.min|30|band.medium.min|rise' -- "$PAXFLOW" run --band.high.min 30
expect 2 'band.critical.min|"101"|1 to 100' -- "$PAXFLOW" run --band.critical.min 101
# librdkafka 2.0.2's cooperative-sticky bugs (#4800, #4908): refused, the eager protocol is used.
expect 2 'partition.assignment.strategy|"cooperative-sticky"|#4800|#4908|range, roundrobin' -- "$PAXFLOW" run -X partition.assignment.strategy=cooperative-sticky
expect 2 'partition.assignment.strategy|"range,cooperative-sticky"' -- "$PAXFLOW" run --config "$WORK/coop.conf"
expect 2 'rules.file|personal_reason.rules:5:22|personal data' -- "$PAXFLOW" run --rules.file "$(dirname "$0")/../data/rules/bad/personal_reason.rules"
expect 2 'rules.file|missing.rules|No such file' -- "$PAXFLOW" run --rules.file "$WORK/missing.rules"
expect 2 'seed|"-1"' -- "$PAXFLOW" gen --seed -1
expect 2 'pax.per.flight|"0"|1 to 853' -- "$PAXFLOW" gen --pax.per.flight 0
expect 2 'partitions|"0"' -- "$PAXFLOW" topics create --partitions 0
expect 2 'unknown command' -- "$PAXFLOW" nosuchcommand
expect 2 'unexpected arguments' -- "$PAXFLOW" topics destroy
echo "ok - $n invalid configurations each exit 2 naming the key, the value and what is allowed"

# Precedence: file < environment < flag; secrets redacted.
out=$("$PAXFLOW" config dump --config "$WORK/good.conf" --secret.file /run/s -X sasl.password=hunter2)
grep -qx 'commit.interval.ms = 50' <<< "$out" || fail "file value not applied"
grep -qx 'alert.band = HIGH' <<< "$out" || fail "file value not applied"
out=$(PAXFLOW_COMMIT_INTERVAL_MS=70 "$PAXFLOW" config dump --config "$WORK/good.conf")
grep -qx 'commit.interval.ms = 70' <<< "$out" || fail "environment does not override the file"
out=$(PAXFLOW_COMMIT_INTERVAL_MS=70 "$PAXFLOW" config dump --config "$WORK/good.conf" --commit.interval.ms 90 --secret.file /run/s -X sasl.password=hunter2)
grep -qx 'commit.interval.ms = 90' <<< "$out" || fail "flag does not override the environment"
grep -q hunter2 <<< "$out" && fail "config dump printed a password"
grep -qx 'secret.file = \[redacted\]' <<< "$out" || fail "secret.file not redacted"
echo "ok - precedence file < environment < flag, secrets redacted in config dump"
