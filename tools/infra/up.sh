#!/usr/bin/env bash
# Brings up the platform's local infrastructure: MariaDB (databases and users per service) and
# the single-node Kafka broker, in parallel. Idempotent: running services are reused.
# Stop with tools/infra/down.sh.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[up] %s\n' "$*" >&2; }

t0=$(date +%s.%N)
log "MariaDB (ensure + provision) and Kafka (ensure) in parallel"

bash "$HERE/kafka.sh" ensure &
kafka_job=$!

db_rc=0
bash "$HERE/mariadb.sh" provision || db_rc=$?
kafka_rc=0
wait "$kafka_job" || kafka_rc=$?

elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if (( db_rc != 0 || kafka_rc != 0 )); then
  (( db_rc != 0 )) && log "MariaDB FAILED (exit $db_rc)"
  (( kafka_rc != 0 )) && log "Kafka FAILED (exit $kafka_rc)"
  exit 1
fi
log "infrastructure ready in $elapsed s: MariaDB ${SEG_DB_HOST:-127.0.0.1}:${SEG_DB_PORT:-3306}, Kafka ${SEG_KAFKA_HOST:-127.0.0.1}:${SEG_KAFKA_PORT:-9092}"
