#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller) for the segmentation platform,
# run from the Maven Central jars listed in tools/kafka/pom.xml. No Docker needed.
# Everything lives under .local/kafka (git-ignored): libs/, data/, logs/, server.properties,
# log4j.properties, cluster-id, broker.pid.
#
# Usage: tools/infra/kafka.sh <ensure|stop|status|logs>
#   ensure  reuse a broker already answering on the port; else fetch the jars (once), write the
#           config, format the storage (once), start the broker and wait until it answers
#           metadata requests.
#   stop    stop the broker this project started (pid file): SIGTERM, then SIGKILL after
#           SEG_KAFKA_STOP_TIMEOUT seconds. A broker started elsewhere is left alone.
#   status  pid, whether it answers, resident memory.
#   logs    print the path of the broker log.
#
# Environment:
#   SEG_KAFKA_HOST (127.0.0.1), SEG_KAFKA_PORT (9092), SEG_KAFKA_CONTROLLER_PORT (9093)
#   SEG_KAFKA_HEAP_OPTS ("-Xmx1g -Xms1g"), SEG_KAFKA_JIT_OPTS ("-XX:TieredStopAtLevel=1"),
#   SEG_KAFKA_READY_TIMEOUT (90),
#   SEG_KAFKA_STOP_TIMEOUT (30)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$ROOT/tools/kafka/pom.xml"
READY_JS="$ROOT/tools/infra/kafka-ready.mjs"
KDIR="$ROOT/.local/kafka"
LIBS="$KDIR/libs"
DATA="$KDIR/data"
LOGS="$KDIR/logs"
CONF="$KDIR/server.properties"
LOG4J="$KDIR/log4j.properties"
CLUSTER_ID_FILE="$KDIR/cluster-id"
PID_FILE="$KDIR/broker.pid"
FETCH_MARKER="$LIBS/.fetched"

HOST="${SEG_KAFKA_HOST:-127.0.0.1}"
PORT="${SEG_KAFKA_PORT:-9092}"
CPORT="${SEG_KAFKA_CONTROLLER_PORT:-9093}"
# The heap, fixed at 1 GiB, with G1 regions of 16 MiB (below, as Kafka's documentation advises): the
# platform's produce requests (up to 512 KiB) are then not "humongous" objects, each of which had
# set off a garbage collection (69 in one full-file backfill with 1 MiB regions and a heap starting
# at 256 MiB: 10-12 CPU seconds of the broker's). Fetches (up to 8 MiB a partition for rfm) are
# sent from the log files: a full-file run with them left the old generation as it was.
HEAP_OPTS="${SEG_KAFKA_HEAP_OPTS:--Xmx1g -Xms1g}"
# The JIT: C1 only. A broker that was just started spent 3-4 more CPU seconds of each of the first
# full-file backfills compiling with C2, on the 2 cores the platform uses too
# (docs/infra-measurements.md). SEG_KAFKA_JIT_OPTS= (empty) for the JVM's default tiered
# compilation, the better choice for a broker that runs for days.
JIT_OPTS="${SEG_KAFKA_JIT_OPTS--XX:TieredStopAtLevel=1}"
READY_TIMEOUT="${SEG_KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${SEG_KAFKA_STOP_TIMEOUT:-30}"

log() { printf '[kafka] %s\n' "$*" >&2; }
die() { printf '[kafka] ERROR: %s\n' "$*" >&2; exit 1; }
rel() { echo "${1#"$ROOT"/}"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

kafka_version() {
  local v
  v="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
  [[ -n "$v" ]] || die "cannot read <kafka.version> from $(rel "$POM")"
  echo "$v"
}

require_java() {
  command -v java >/dev/null 2>&1 \
    || die "java not found: Kafka needs a Java 11+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)"
  local v major
  v="$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  major="${v%%.*}"; [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$v")"
  [[ "$major" =~ ^[0-9]+$ ]] && (( major >= 11 )) \
    || die "java $v is too old: Kafka $(kafka_version) needs Java 11+ (17 recommended)"
}

port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# Pid of the broker this project started, if it is still running (cleans a stale pid file).
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] \
     && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "kafka.Kafka $CONF"; then
    echo "$pid"; return 0
  fi
  log "removing stale pid file $(rel "$PID_FILE")${pid:+ (pid $pid is gone)}"
  rm -f "$PID_FILE"
  return 1
}

rss_of() { awk '/^VmRSS:/ { printf "%.0f MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || true; }

# --- jars -------------------------------------------------------------------------------------

fetch_libs() {
  local version; version="$(kafka_version)"
  if [[ -f "$LIBS/kafka_2.13-$version.jar" && "$(cat "$FETCH_MARKER" 2>/dev/null)" == "$version" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: needed once to fetch the Kafka jars (apt-get install -y maven)"
  log "fetching Kafka $version jars from Maven Central into $(rel "$LIBS")"
  local t0 tmp="$KDIR/libs.partial"; t0="$(now)"
  rm -rf "$tmp"; mkdir -p "$LOGS"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$tmp" >"$LOGS/fetch.log" 2>&1; then
    tail -n 20 "$LOGS/fetch.log" >&2
    die "fetching the jars failed; see $(rel "$LOGS/fetch.log")"
  fi
  [[ -f "$tmp/kafka_2.13-$version.jar" ]] || die "kafka_2.13-$version.jar missing after fetch; see $(rel "$LOGS/fetch.log")"
  # The marker is written only after a complete fetch; the folder is swapped in whole, so an
  # interrupted fetch never leaves a half-filled libs/ (or a mix of two versions) behind.
  echo "$version" >"$tmp/.fetched"
  rm -rf "$LIBS"; mv "$tmp" "$LIBS"
  log "fetched $(ls "$LIBS"/*.jar | wc -l) jars in $(since "$t0") s"
}

kafka_java() { # run a Kafka tool class in a short-lived JVM
  java -Xmx256m -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$LOGS" -cp "$LIBS/*" "$@"
}

# --- config -----------------------------------------------------------------------------------

write_if_changed() { # path; content on stdin
  local tmp="$1.tmp"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; return 1; fi
  mv "$tmp" "$1"
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  local changed=0
  write_if_changed "$CONF" <<EOF && changed=1
# Generated by tools/infra/kafka.sh (edits are overwritten): single-node KRaft broker+controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA

# One node: every internal topic must have replication factor 1, or consumer groups and
# transactions never find a coordinator.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1
# Fewer internal partitions than the default 50: the first consumer group gets going sooner.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10

# Consumer groups start at once instead of waiting 3 s for more members (tests).
group.initial.rebalance.delay.ms=0

# Topics are created explicitly by the platform, never on first use.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=3

log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
num.recovery.threads.per.data.dir=1
EOF
  write_if_changed "$LOG4J" <<EOF || true
# Generated by tools/infra/kafka.sh: broker log in logs/server.log (rotated), errors also on stdout.
log4j.rootLogger=INFO, file, console

log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOGS/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.Threshold=ERROR
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel\$=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.zookeeper=WARN
EOF
  (( changed )) && return 0 || return 1
}

cluster_id() {
  local id=""
  # An existing storage wins: its id is the one the broker will check.
  [[ -f "$DATA/meta.properties" ]] && id="$(sed -n 's/^cluster.id=//p' "$DATA/meta.properties")"
  [[ -z "$id" && -s "$CLUSTER_ID_FILE" ]] && id="$(cat "$CLUSTER_ID_FILE")"
  if [[ -z "$id" ]]; then
    id="$(kafka_java kafka.tools.StorageTool random-uuid | tail -n1)"
    [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "could not generate a cluster id (got '$id')"
    log "generated cluster id $id"
  fi
  [[ "$(cat "$CLUSTER_ID_FILE" 2>/dev/null)" == "$id" ]] || echo "$id" >"$CLUSTER_ID_FILE"
  echo "$id"
}

format_storage() {
  local id; id="$(cluster_id)"
  [[ -f "$DATA/meta.properties" ]] && return 0
  log "formatting storage $(rel "$DATA") (cluster id $id)"
  kafka_java kafka.tools.StorageTool format -t "$id" -c "$CONF" --ignore-formatted >"$LOGS/format.log" 2>&1 \
    || { cat "$LOGS/format.log" >&2; die "formatting the storage failed"; }
}

# --- readiness --------------------------------------------------------------------------------

# Wait until the broker answers metadata requests. $1 timeout (s), $2 pid to watch (optional).
# Returns 0 ready, 1 timeout, 3 process exited.
wait_ready() {
  local timeout="$1" pid="${2:-}" rc=0
  if command -v node >/dev/null 2>&1; then
    node "$READY_JS" --brokers "$HOST:$PORT" --timeout "$timeout" ${pid:+--pid "$pid"} || rc=$?
    [[ $rc -ne 2 ]] && return $rc
    log "kafkajs not installed; falling back to a JVM-based check"
  fi
  # Fallback without Node: the broker answers an ApiVersions round trip through its metadata.
  local deadline=$(( $(date +%s) + timeout ))
  while :; do
    [[ -n "$pid" && ! -e "/proc/$pid" ]] && return 3
    if port_open "$HOST" "$PORT" && timeout 20 java -Xmx128m -Dlog4j.configuration="file:$LOG4J" \
         -cp "$LIBS/*" kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$HOST:$PORT" >/dev/null 2>&1; then
      return 0
    fi
    (( $(date +%s) >= deadline )) && return 1
    sleep 1
  done
}

startup_failed() { # message
  log "last lines of $(rel "$LOGS/stdout.log"):"
  tail -n 15 "$LOGS/stdout.log" >&2 2>/dev/null || true
  grep -E ' (ERROR|FATAL) ' "$LOGS/server.log" 2>/dev/null | tail -n 5 >&2 || true
  die "$1; see $(rel "$LOGS/server.log")"
}

# --- subcommands ------------------------------------------------------------------------------

cmd_ensure() {
  require_java
  mkdir -p "$KDIR" "$LOGS"
  exec 9>"$KDIR/ensure.lock"
  flock -w 600 9 || die "another run holds $(rel "$KDIR/ensure.lock")"

  local pid=""
  pid="$(our_pid)" || pid=""
  if port_open "$HOST" "$PORT"; then
    local who="not started by this project"
    [[ -n "$pid" ]] && who="started by this project, pid $pid"
    log "reusing broker on $HOST:$PORT ($who)"
    [[ -f "$FETCH_MARKER" ]] || command -v node >/dev/null 2>&1 || fetch_libs
    local rc=0; wait_ready "$READY_TIMEOUT" "$pid" || rc=$?
    (( rc == 0 )) || die "something listens on $HOST:$PORT but does not answer as a Kafka broker"
    return 0
  fi

  fetch_libs
  if write_config && [[ -n "$pid" ]]; then
    log "config changed while the broker (pid $pid) runs: restart it (kafka.sh stop && kafka.sh ensure)"
  fi
  format_storage

  local t0; t0="$(now)"
  if [[ -n "$pid" ]]; then
    log "broker (pid $pid) is running but not answering yet; waiting"
  else
    if port_open "$HOST" "$CPORT"; then
      die "controller port $HOST:$CPORT is taken by another process (set SEG_KAFKA_CONTROLLER_PORT)"
    fi
    log "starting Kafka $(kafka_version) on $HOST:$PORT (controller $CPORT, heap $HEAP_OPTS${JIT_OPTS:+, $JIT_OPTS})"
    {
      echo "=== $(date -Is) starting broker"
    } >>"$LOGS/stdout.log"
    # A session of its own (setsid) so it outlives this shell; the inner bash writes its pid,
    # closes every inherited descriptor above stderr (our lock, a caller's pipes: a broker
    # holding them would keep callers waiting) and becomes the JVM (exec), so the pid file
    # holds the JVM's pid.
    # shellcheck disable=SC2016,SC2086
    nohup setsid bash -c 'echo $$ >"$1"; shift
      for fd in /proc/$$/fd/*; do n=${fd##*/}; (( n > 2 )) && eval "exec $n>&-" 2>/dev/null; done
      exec "$@"' _ "$PID_FILE" \
      java $HEAP_OPTS $JIT_OPTS -server -XX:+UseG1GC -XX:G1HeapRegionSize=16m -XX:MaxGCPauseMillis=20 \
        -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
        -Djava.awt.headless=true \
        -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$LOGS" \
        -cp "$LIBS/*" kafka.Kafka "$CONF" \
      >>"$LOGS/stdout.log" 2>&1 </dev/null 9>&- &
    local i
    for ((i = 0; i < 50; i++)); do
      [[ -s "$PID_FILE" ]] && break
      sleep 0.1
    done
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || startup_failed "the broker did not start"
  fi

  local rc=0; wait_ready "$READY_TIMEOUT" "$pid" || rc=$?
  case $rc in
    0) log "broker ready on $HOST:$PORT after $(since "$t0") s (pid $pid, RSS $(rss_of "$pid"))" ;;
    3) rm -f "$PID_FILE"; startup_failed "the broker exited during startup" ;;
    *)
      log "broker not ready after ${READY_TIMEOUT}s; stopping it"
      stop_pid "$pid"
      startup_failed "the broker did not answer metadata requests within ${READY_TIMEOUT}s"
      ;;
  esac
}

stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    [[ -e "/proc/$pid" ]] || break
    sleep 0.1
  done
  if [[ -e "/proc/$pid" ]]; then
    log "broker (pid $pid) still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do [[ -e "/proc/$pid" ]] || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

cmd_stop() {
  local pid
  if ! pid="$(our_pid)"; then
    if port_open "$HOST" "$PORT"; then
      log "the broker on $HOST:$PORT was not started by this project; leaving it running"
    else
      log "no broker running"
    fi
    return 0
  fi
  local t0; t0="$(now)"
  log "stopping broker (pid $pid)"
  stop_pid "$pid"
  log "stopped after $(since "$t0") s"
}

cmd_status() {
  local pid="" rc=0
  pid="$(our_pid 2>/dev/null)" || pid=""
  if [[ -n "$pid" ]]; then
    echo "kafka: broker started by this project, pid $pid, RSS $(rss_of "$pid")"
  fi
  if ! port_open "$HOST" "$PORT"; then
    echo "kafka: nothing listens on $HOST:$PORT"
    return 1
  fi
  if command -v node >/dev/null 2>&1; then
    node "$READY_JS" --brokers "$HOST:$PORT" --timeout 5 2>/dev/null || rc=$?
  else
    rc=2
  fi
  case $rc in
    0) echo "kafka: answering on $HOST:$PORT (Kafka $(kafka_version) per tools/kafka/pom.xml)" ;;
    2) echo "kafka: port $HOST:$PORT is open (kafkajs not installed, metadata not checked)" ;;
    *) echo "kafka: port $HOST:$PORT is open but metadata requests fail"; return 1 ;;
  esac
  echo "kafka: log $LOGS/server.log"
}

cmd_logs() {
  echo "$LOGS/server.log"
  log "JVM output: $LOGS/stdout.log"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  *) echo "usage: $0 <ensure|stop|status|logs>" >&2; exit 2 ;;
esac
