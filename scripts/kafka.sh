#!/usr/bin/env bash
# Runs a real single-node Apache Kafka 4.x broker (KRaft, combined broker+controller, no ZooKeeper,
# no Docker) for paxflow's integration tests. The broker jars come from Maven Central through
# scripts/kafka/pom.xml, because CI can reach package registries but not kafka.apache.org.
#
# Usage: scripts/kafka.sh start|stop|restart|status|bootstrap   (--help for details)
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/kafka.sh start|stop|restart|status|bootstrap

  start      start the broker in the background; returns once it answers Kafka requests
             (no-op if it is already running)
  stop       stop the broker (SIGTERM, SIGKILL after 30 s); no-op if it is not running
  restart    stop + start; topics and data are kept
  status     exit 0 if the broker is running and answering, 3 if not
  bootstrap  print the bootstrap server address (127.0.0.1:PORT)

Environment:
  PAXFLOW_KAFKA_PORT     client (PLAINTEXT) port on 127.0.0.1; controller uses PORT+1  [19092]
  PAXFLOW_KAFKA_DIR      data dir, broker.log, pid file, server.properties        [<repo>/.kafka]
  PAXFLOW_KAFKA_HEAP     broker JVM heap flags                          [-Xmx768m -Xms256m]
  PAXFLOW_KAFKA_WAIT     seconds `start` waits for the broker to answer           [90]
  PAXFLOW_KAFKA_RESET=1  wipe the data dir (all topics) on start; stops a running broker first
  PAXFLOW_KAFKA_VERSION  Kafka version resolved from Maven Central                [4.1.1]
  PAXFLOW_CACHE          jar cache root; jars go to $PAXFLOW_CACHE/kafka-<version>/libs
                                                                  [$HOME/.cache/paxflow]
EOF
}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$SCRIPT_DIR")
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONF="$SCRIPT_DIR/kafka/log4j2.properties"

KAFKA_VERSION=${PAXFLOW_KAFKA_VERSION:-4.1.1}
PORT=${PAXFLOW_KAFKA_PORT:-19092}
HEAP=${PAXFLOW_KAFKA_HEAP:--Xmx768m -Xms256m}
WAIT=${PAXFLOW_KAFKA_WAIT:-90}
KDIR=${PAXFLOW_KAFKA_DIR:-$REPO_DIR/.kafka}
CACHE_DIR="${PAXFLOW_CACHE:-$HOME/.cache/paxflow}/kafka-$KAFKA_VERSION"
LIBS="$CACHE_DIR/libs"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

say() { echo "kafka: $*"; }
die() { echo "kafka: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Paths. KDIR is made absolute (symlinks resolved, so a checkout whose .kafka links to another one
# shares that broker) because the config path is also how we recognise *our* broker
# among running processes (see is_our_broker), and a relative path would not match /proc cmdlines.
# ---------------------------------------------------------------------------------------------
init_paths() {
  if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65534)); then
    die "PAXFLOW_KAFKA_PORT must be 1..65534 (the controller takes PORT+1), got '$PORT'"
  fi
  [[ $WAIT =~ ^[0-9]+$ ]] || die "PAXFLOW_KAFKA_WAIT must be a number of seconds, got '$WAIT'"
  CONTROLLER_PORT=$((PORT + 1))
  mkdir -p "$KDIR"
  KDIR=$(cd "$KDIR" && pwd -P)
  DATA_DIR="$KDIR/data"
  CONF="$KDIR/server.properties"
  PID_FILE="$KDIR/broker.pid"
  BROKER_LOG="$KDIR/broker.log"
  CLUSTER_ID_FILE="$KDIR/cluster.id"
}

# Serialise start/stop/restart on one KDIR so two test jobs can't launch two brokers on one data
# dir. fd 9 must never leak into the broker (see launch_broker), or the lock would live as long as it.
lock_kdir() {
  exec 9>"$KDIR/.lock"
  flock 9
}

# ---------------------------------------------------------------------------------------------
# Jars: resolved once per Kafka version into the cache; the stamp records the POM hash so that
# editing pom.xml re-resolves, and a half-finished copy never looks complete.
# ---------------------------------------------------------------------------------------------
ensure_jars() {
  local want
  want="$KAFKA_VERSION $(sha256sum "$POM" | cut -d' ' -f1)"
  if [[ -f $CACHE_DIR/.stamp && $(<"$CACHE_DIR/.stamp") == "$want" ]]; then
    return 0
  fi
  mkdir -p "$CACHE_DIR"
  # Another checkout/job may be filling the same cache right now: wait for it instead of racing.
  exec 8>"$CACHE_DIR/.lock"
  flock 8
  if [[ -f $CACHE_DIR/.stamp && $(<"$CACHE_DIR/.stamp") == "$want" ]]; then
    exec 8>&-
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (run scripts/setup.sh)"
  say "resolving Kafka $KAFKA_VERSION jars from Maven Central into $LIBS (first run only)"
  local t0=$SECONDS tmp="$CACHE_DIR/libs.tmp"
  rm -rf "$tmp"
  # -B and </dev/null: CI has no terminal and no stdin; Maven must never prompt or draw progress.
  # Output goes to a log shown only on failure: even with -B -q, Maven 3.8 emits stray ANSI
  # reset codes on both stdout and stderr.
  local mvn_log="$CACHE_DIR/maven.log"
  if ! mvn -B -q -Dstyle.color=never -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
      </dev/null >"$mvn_log" 2>&1; then
    cat "$mvn_log" >&2
    rm -rf "$tmp"
    die "maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (output above, also in $mvn_log)"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "maven finished but no kafka_2.13 jar in $tmp"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  echo "$want" >"$CACHE_DIR/.stamp"
  exec 8>&-
  say "jars ready in $((SECONDS - t0))s ($(find "$LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$LIBS" | cut -f1))"
}

# Runs a Kafka CLI class from the cached jars. Small heap and C1-only JIT: these are short-lived
# JVMs where startup time dominates. Log level WARN keeps their stdout clean. The argv is built
# as an array (not only a function) so it can also be run under `timeout`.
tool_argv() {
  TOOL=("$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$LOG4J_CONF" -Dpaxflow.log.level=WARN -cp "$LIBS/*")
}

# ---------------------------------------------------------------------------------------------
# Process tracking. A pid is only trusted if /proc says it is kafka.Kafka running *this* KDIR's
# config: pids get reused, and another checkout may run its own broker on another port.
# ---------------------------------------------------------------------------------------------
is_our_broker() {
  local pid=$1 a main=0
  local -a args
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  mapfile -d '' -t args 2>/dev/null <"/proc/$pid/cmdline" || return 1
  for a in "${args[@]}"; do
    [[ $a == kafka.Kafka ]] && main=1
  done
  ((main)) && [[ ${#args[@]} -gt 0 && ${args[-1]} == "$CONF" ]]
}

# Prints the pid of the broker for this KDIR, or fails. Falls back to scanning /proc so a deleted
# or stale pid file can never leave an unreachable broker (and its ports) behind.
broker_pid() {
  local pid d
  if [[ -f $PID_FILE ]]; then
    pid=$(<"$PID_FILE")
    if is_our_broker "$pid"; then
      echo "$pid"
      return 0
    fi
    rm -f "$PID_FILE" # stale: the process is gone or the pid now belongs to something else
  fi
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    if is_our_broker "$pid"; then
      echo "$pid" >"$PID_FILE"
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# A real Kafka round trip without paying for a JVM: a v0 ApiVersions request (api_key 18,
# correlation id 1, null client id) over bash's /dev/tcp. An open port alone proves little (it
# could be anything listening there, or a broker whose request handling is not enabled yet); a
# well-formed Kafka answer with our correlation id cannot come from anything else. Costs ~5 ms,
# so it can be polled, unlike a JVM tool (~1-2 s each).
kafka_answers() {
  local out
  local -a b
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash, on purpose
  out=$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
      printf "\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\xff\xff" >&3
      head -c 10 <&3 | od -An -v -tx1
    ' _ "$PORT" 2>/dev/null) || return 1
  read -r -a b <<<"$out"
  # Response: int32 size, int32 correlation id (=1), int16 error code. 0 = OK; 35
  # (UNSUPPORTED_VERSION) would still prove a live Kafka that merely dislikes v0.
  [[ ${#b[@]} -eq 10 && "${b[4]}${b[5]}${b[6]}${b[7]}" == 00000001 ]] &&
    [[ "${b[8]}${b[9]}" == 0000 || "${b[8]}${b[9]}" == 0023 ]]
}

port_in_use() {
  # shellcheck disable=SC2016
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

show_log_tail() {
  echo "kafka: ---- last 40 lines of $BROKER_LOG ----" >&2
  tail -n 40 "$BROKER_LOG" >&2 2>/dev/null || true
  echo "kafka: ----" >&2
}

# ---------------------------------------------------------------------------------------------
# Config and storage
# ---------------------------------------------------------------------------------------------
write_config() {
  # Regenerated on every start so env changes (port) apply; data lives in DATA_DIR, not here.
  # Static controller.quorum.voters rather than a dynamic (--standalone) quorum: the voter
  # endpoint is then plain config, not baked into the metadata log, so a data dir keeps working
  # even if it is later started on another port.
  cat >"$CONF.tmp" <<EOF
# Generated by scripts/kafka.sh -- edits are overwritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA_DIR

# One broker: every internal topic must fit on it.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Tests create their topics explicitly and want consumer groups to form without the 3 s delay.
auto.create.topics.enable=false
num.partitions=1
group.initial.rebalance.delay.ms=0
EOF
  mv "$CONF.tmp" "$CONF"
}

# Formats the KRaft storage exactly once; afterwards the data dir is reused so topics and
# committed offsets survive stop/start and kill -9/restart.
ensure_formatted() {
  if [[ -f $DATA_DIR/meta.properties ]]; then
    return 0
  fi
  local cid
  if [[ -s $CLUSTER_ID_FILE ]]; then
    cid=$(<"$CLUSTER_ID_FILE")
  else
    # A Kafka Uuid is 16 random bytes in unpadded base64url. Kafka's own generator rejects ids
    # starting with '-' (they look like CLI flags), so do the same rather than spin up a JVM.
    cid=-
    while [[ $cid == -* ]]; do
      cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
    done
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  say "formatting $DATA_DIR (cluster id $cid)"
  mkdir -p "$DATA_DIR"
  local out
  tool_argv
  if ! out=$("${TOOL[@]}" kafka.tools.StorageTool format -t "$cid" -c "$CONF" 2>&1); then
    echo "$out" >&2
    die "kafka-storage format failed"
  fi
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
launch_broker() {
  # Appended, not truncated, so the log of a run that was killed mid-test survives the restart;
  # one generation of rotation keeps a long test session from filling the disk.
  if [[ -f $BROKER_LOG ]] && (($(stat -c %s "$BROKER_LOG") > 50 * 1024 * 1024)); then
    mv -f "$BROKER_LOG" "$BROKER_LOG.1"
  fi
  echo "===== $(date '+%F %T') scripts/kafka.sh start (port $PORT) =====" >>"$BROKER_LOG"
  # setsid: the broker gets its own session, so Ctrl-C in the terminal or the CI step's process
  # group teardown of *this* script doesn't take it down mid-test; only `stop` does.
  # The wrapper writes its own pid then execs java, so the pid file holds the JVM's pid whether
  # or not setsid had to fork. 8>&- 9>&-: don't let the broker inherit our lock fds.
  # $HEAP is deliberately unquoted: it is a list of JVM flags.
  # shellcheck disable=SC2086,SC2016
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    "$JAVA" $HEAP \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$LOG4J_CONF" -Dpaxflow.log.level=INFO -Dkafka.logs.dir="$KDIR" \
    -cp "$LIBS/*" kafka.Kafka "$CONF" \
    </dev/null >>"$BROKER_LOG" 2>&1 8>&- 9>&- &
}

# Waits until the broker answers: cheap bash probes first, then one JVM client request (topic
# list via the Admin API) to confirm the full metadata path works; sets READY_PID. On failure the
# half-started broker is killed so it can't linger as an orphan holding the ports.
wait_ready() {
  local deadline=$((SECONDS + WAIT)) pid=""
  while ((SECONDS < deadline)); do
    if ! pid=$(broker_pid); then
      # The wrapper may not have written the pid file yet in the first instants.
      sleep 0.3
      if ! pid=$(broker_pid); then
        show_log_tail
        die "broker process exited during startup"
      fi
    fi
    if kafka_answers; then
      break
    fi
    sleep 0.5
  done
  if ((SECONDS < deadline)); then
    local left=$((deadline - SECONDS))
    ((left >= 10)) || left=10
    tool_argv
    if timeout "$left" "${TOOL[@]}" org.apache.kafka.tools.TopicCommand \
      --bootstrap-server "127.0.0.1:$PORT" --list >/dev/null; then
      READY_PID=$pid
      return 0
    fi
  fi
  show_log_tail
  if pid=$(broker_pid); then
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
  fi
  die "broker did not answer on 127.0.0.1:$PORT within ${WAIT}s"
}

cmd_start() {
  local pid
  if pid=$(broker_pid); then
    if [[ ${PAXFLOW_KAFKA_RESET:-0} == 1 ]]; then
      say "PAXFLOW_KAFKA_RESET=1: stopping the running broker (pid $pid) before wiping its data"
      stop_broker "$pid"
    elif kafka_answers; then
      say "already running on 127.0.0.1:$PORT"
      return 0
    else
      # server.properties is only rewritten at launch, so it still names the running port.
      local running_port
      running_port=$(sed -n 's/^listeners=PLAINTEXT:\/\/127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$CONF" 2>/dev/null)
      if [[ -n $running_port && $running_port != "$PORT" ]]; then
        die "the broker in $KDIR (pid $pid) runs on port $running_port, not $PORT; stop it first"
      fi
      # Probably a `start` that was interrupted while booting it: wait rather than launch another.
      say "broker pid $pid is up but not answering yet; waiting"
      wait_ready
      say "running (pid $READY_PID) on 127.0.0.1:$PORT"
      return 0
    fi
  fi

  if [[ ${PAXFLOW_KAFKA_RESET:-0} == 1 ]]; then
    say "PAXFLOW_KAFKA_RESET=1: wiping $DATA_DIR"
    rm -rf "$DATA_DIR" "$CLUSTER_ID_FILE"
  fi

  # Fail fast with a clear message instead of a BindException buried in broker.log.
  local p
  for p in "$PORT" "$CONTROLLER_PORT"; do
    if port_in_use "$p"; then
      die "port 127.0.0.1:$p is already in use by another process (set PAXFLOW_KAFKA_PORT)"
    fi
  done

  ensure_jars
  write_config
  ensure_formatted
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$PORT (controller :$CONTROLLER_PORT, dir $KDIR)"
  local t0=$SECONDS
  launch_broker
  wait_ready
  say "started (pid $READY_PID) on 127.0.0.1:$PORT in $((SECONDS - t0))s"
}

# SIGTERM lets Kafka flush and write its clean-shutdown marker, so the next start skips log
# recovery; SIGKILL is the last resort for a wedged JVM.
stop_broker() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  # is_our_broker rather than kill -0: a zombie or a recycled pid must not count as "still running".
  for ((i = 0; i < 300; i++)); do
    is_our_broker "$pid" || break
    sleep 0.1
  done
  if is_our_broker "$pid"; then
    say "pid $pid still alive after 30s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while is_our_broker "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

cmd_stop() {
  local pid stopped=0
  # Loop, not `if`: broker_pid also finds brokers the pid file lost track of, so nothing survives.
  while pid=$(broker_pid); do
    say "stopping broker (pid $pid)"
    stop_broker "$pid"
    stopped=1
  done
  rm -f "$PID_FILE"
  if ((stopped)); then
    say "stopped"
  else
    say "not running"
  fi
}

cmd_status() {
  local pid
  if pid=$(broker_pid); then
    if kafka_answers; then
      say "running (pid $pid) on 127.0.0.1:$PORT"
      return 0
    fi
    say "broker process $pid exists but does not answer on 127.0.0.1:$PORT"
    return 3
  fi
  say "not running"
  return 3
}

case "${1:-}" in
  start) init_paths; lock_kdir; cmd_start ;;
  stop) init_paths; lock_kdir; cmd_stop ;;
  restart) init_paths; lock_kdir; cmd_stop; cmd_start ;;
  status) init_paths; cmd_status ;;
  bootstrap)
    [[ $PORT =~ ^[0-9]+$ ]] || die "PAXFLOW_KAFKA_PORT must be a number, got '$PORT'"
    echo "127.0.0.1:$PORT"
    ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
