#!/usr/bin/env bash
# Runs a real Confluent-compatible schema registry (Apicurio Registry, in-memory storage) on
# loopback for tests/integration/it_registry.sh. Like scripts/kafka.sh, everything comes from
# Maven Central: scripts/registry/pom.xml builds a runnable Quarkus app from
# io.apicurio:apicurio-registry-app into the cache on first use.
#
# Known blocker (why `start` fails on this machine today): Maven Central does not serve every
# artifact Apicurio needs. 3.3.3 and 2.6.13.Final lack io.apicurio:apicurio-registry-schema-util-
# provider; for 2.4.2.Final and 2.3.1.Final the Quarkus build cannot load the -deployment artifact
# of io.apicurio:apicurio-common-app-components-config-index, and with that extension excluded,
# ArC validation fails (nothing produces DynamicConfigPropertyList / DynamicConfigStorageAccessor).
# `start` then exits 3 with that reason, and it_registry.sh skips (exit 77) quoting it.
#
# Usage: scripts/registry.sh start|stop|status|url   (--help for details)
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/registry.sh start|stop|status|url

  start   build the registry on first use, start it in the background, return once the
          Confluent-compatible API answers (no-op if it already does); exit 3 if it cannot run
          here, with the reason on stderr
  stop    stop it (SIGTERM, SIGKILL after 20 s); no-op if it is not running
  status  exit 0 if it is running and answering, 3 if not
  url     print the base url of the Confluent-compatible API

Environment:
  PAXFLOW_REGISTRY_PORT  HTTP port on 127.0.0.1                                   [18081]
  PAXFLOW_REGISTRY_API   path of the Confluent-compatible API           [/apis/ccompat/v7]
  PAXFLOW_REGISTRY_DIR   pid file and registry.log          [$PAXFLOW_CACHE/apicurio/run]
  PAXFLOW_REGISTRY_WAIT  seconds `start` waits for the API to answer                 [120]
  PAXFLOW_CACHE          build cache root; the app goes to
                         $PAXFLOW_CACHE/apicurio/build/target/quarkus-app
                                                                   [$HOME/.cache/paxflow]
USAGE
}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POM="$SCRIPT_DIR/registry/pom.xml"
PORT=${PAXFLOW_REGISTRY_PORT:-18081}
API=${PAXFLOW_REGISTRY_API:-/apis/ccompat/v7}
WAIT=${PAXFLOW_REGISTRY_WAIT:-120}
CACHE_DIR="${PAXFLOW_CACHE:-$HOME/.cache/paxflow}/apicurio"
RDIR=${PAXFLOW_REGISTRY_DIR:-$CACHE_DIR/run}
BUILD_DIR="$CACHE_DIR/build"
APP="$BUILD_DIR/target/quarkus-app/quarkus-run.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

say() { echo "registry: $*"; }
die() { echo "registry: error: $*" >&2; exit 1; }
cannot_run() { echo "registry: cannot run here: $*" >&2; exit 3; }

[[ $PORT =~ ^[0-9]+$ ]] && ((PORT >= 1 && PORT <= 65535)) ||
  die "PAXFLOW_REGISTRY_PORT must be 1..65535, got '$PORT'"
[[ $WAIT =~ ^[0-9]+$ ]] || die "PAXFLOW_REGISTRY_WAIT must be a number of seconds, got '$WAIT'"
URL="http://127.0.0.1:$PORT$API"
mkdir -p "$RDIR"
RDIR=$(cd "$RDIR" && pwd)
PID_FILE="$RDIR/registry.pid"
LOG="$RDIR/registry.log"

# The Quarkus app is built once per POM; the stamp holds the POM's hash so edits rebuild. A
# failed build is remembered for the same POM too (.failed holds the reason), so that a test
# that cannot have a registry skips at once instead of re-running Maven each time;
# PAXFLOW_REGISTRY_REBUILD=1 tries again. Maven output goes to a log shown only on failure.
ensure_app() {
  local want
  want=$(sha256sum "$POM" | cut -d' ' -f1)
  if [[ -f $CACHE_DIR/.stamp && $(<"$CACHE_DIR/.stamp") == "$want" && -f $APP ]]; then
    return 0
  fi
  if [[ ${PAXFLOW_REGISTRY_REBUILD:-0} != 1 && -f $CACHE_DIR/.failed &&
    $(head -n1 "$CACHE_DIR/.failed") == "$want" ]]; then
    cannot_run "$(tail -n +2 "$CACHE_DIR/.failed") (cached; PAXFLOW_REGISTRY_REBUILD=1 retries)"
  fi
  command -v mvn >/dev/null || cannot_run "mvn not found (run scripts/setup.sh)"
  mkdir -p "$BUILD_DIR"
  exec 8>"$CACHE_DIR/.lock"
  flock 8
  say "building Apicurio Registry from Maven Central into $BUILD_DIR (first run only)"
  local t0=$SECONDS mvn_log="$CACHE_DIR/maven.log"
  cp "$POM" "$BUILD_DIR/pom.xml"
  rm -f "$CACHE_DIR/.stamp"
  if ! mvn -B -Dstyle.color=never -f "$BUILD_DIR/pom.xml" package </dev/null >"$mvn_log" 2>&1 ||
    [[ ! -f $APP ]]; then
    exec 8>&-
    local why
    why=$(grep -m1 -E '^\[ERROR\] (Failed to execute|\[1\])' "$mvn_log" | cut -c1-400 || true)
    local detail
    detail=$(grep -E '^\[ERROR\] \[[0-9]\]' "$mvn_log" | cut -c1-300 | tr '\n' ' ' || true)
    why="the Apicurio build failed (Maven log: $mvn_log): ${why:-see the log} ${detail}"
    printf '%s\n%s\n' "$want" "$why" >"$CACHE_DIR/.failed"
    cannot_run "$why"
  fi
  echo "$want" >"$CACHE_DIR/.stamp"
  rm -f "$CACHE_DIR/.failed"
  exec 8>&-
  say "built in $((SECONDS - t0))s"
}

# A pid is trusted only if /proc shows our quarkus-run.jar: pids get reused.
is_ours() {
  local pid=$1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$APP"
}

registry_pid() {
  local pid
  [[ -f $PID_FILE ]] || return 1
  pid=$(<"$PID_FILE")
  if is_ours "$pid"; then
    echo "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  return 1
}

answers() {
  curl -fsS -m 3 -o /dev/null "$URL/subjects" 2>/dev/null
}

cmd_start() {
  local pid
  if pid=$(registry_pid) && answers; then
    say "already running (pid $pid) at $URL"
    return 0
  fi
  if [[ -z ${pid:-} ]] && timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$PORT" 2>/dev/null; then
    die "port 127.0.0.1:$PORT is in use by another process (set PAXFLOW_REGISTRY_PORT)"
  fi
  ensure_app
  local t0=$SECONDS
  if [[ -z ${pid:-} ]]; then
    echo "===== $(date '+%F %T') scripts/registry.sh start (port $PORT) =====" >>"$LOG"
    # In-memory storage (H2 in memory): every start is a fresh, empty registry.
    # shellcheck disable=SC2016
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
      "$JAVA" -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
      -Dquarkus.log.level=WARN -Dregistry.storage.kind=sql \
      -jar "$APP" </dev/null >>"$LOG" 2>&1 8>&- &
  fi
  local deadline=$((SECONDS + WAIT))
  while ((SECONDS < deadline)); do
    if answers; then
      say "started (pid $(registry_pid)) at $URL in $((SECONDS - t0))s"
      return 0
    fi
    if ! registry_pid >/dev/null; then
      sleep 0.5
      registry_pid >/dev/null || { tail -n 30 "$LOG" >&2; cannot_run "the registry exited during startup (log: $LOG)"; }
    fi
    sleep 0.5
  done
  tail -n 30 "$LOG" >&2
  if pid=$(registry_pid); then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$PID_FILE"
  cannot_run "no answer from $URL within ${WAIT}s (log: $LOG)"
}

cmd_stop() {
  local pid i
  if ! pid=$(registry_pid); then
    say "not running"
    return 0
  fi
  say "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    is_ours "$pid" || break
    sleep 0.1
  done
  if is_ours "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    while is_ours "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  say "stopped"
}

cmd_status() {
  local pid
  if pid=$(registry_pid) && answers; then
    say "running (pid $pid) at $URL"
    return 0
  fi
  say "not running"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  url) echo "$URL" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
