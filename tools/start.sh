#!/usr/bin/env bash
# The main job: brings up MariaDB and Kafka, installs and builds, starts the five processes and
# the dashboard, imports the bundled sample, waits until segments exist, prints them with one
# GraphQL query, and leaves the gateway and the dashboard running. Ctrl-C stops everything this
# script started.
set -euo pipefail
SCRIPT_NAME=start
. "$(dirname "$0")/lib/common.sh"
mkdir -p "$LOGS"
cd "$ROOT"

ensure_node_modules
# Remember what already ran, so that Ctrl-C stops only what this script started.
kafka_was_up=0; bash tools/infra/kafka.sh status >/dev/null 2>&1 && kafka_was_up=1
mariadb_was_up=0; bash tools/infra/mariadb.sh status >/dev/null 2>&1 && mariadb_was_up=1
bash tools/infra/up.sh
ensure_app_secrets
build_apps

pids=()
cleanup() {
  trap - INT TERM EXIT
  say "stopping the services"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$kafka_was_up" = 1 ] || bash tools/infra/kafka.sh stop || true
  [ "$mariadb_was_up" = 1 ] || bash tools/infra/mariadb.sh stop || true
  say "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The services' Node flags (the same in libs/testing/src/service-process.ts and
# docker/app-entrypoint.sh): 32 MiB semispaces let a batch's objects die young (bench/README.md).
for app in "${APPS[@]}"; do
  node --enable-source-maps --max-semi-space-size=32 "dist/apps/$app/main.js" >>"$LOGS/$app.log" 2>&1 &
  pids+=("$!")
  say "started $app (pid $!, log .local/logs/$app.log)"
done

# The marketing dashboard: the built web app and a same-origin proxy to the gateway.
node --enable-source-maps dist/apps/dashboard/main.js >>"$LOGS/dashboard.log" 2>&1 &
pids+=("$!")
say "started dashboard (pid $!, log .local/logs/dashboard.log)"

npx tsx tools/demo.ts "${1:-data/sample/online_retail_2010-12_2011-02.csv.gz}"

say "gateway: http://${SEG_GATEWAY_HOST:-127.0.0.1}:${SEG_GATEWAY_PORT:-4000}/graphql  (API keys per role: SEG_API_KEYS in .local/secrets.env)"
say "dashboard: http://${SEG_DASHBOARD_HOST:-127.0.0.1}:${SEG_DASHBOARD_PORT:-4005}/  (sign in with a key from SEG_API_KEYS in .local/secrets.env: viewer reads, marketer also edits coupons, admin also imports)"
say "logs: .local/logs/   press Ctrl-C to stop everything"
wait -n "${pids[@]}" || true
say "a service stopped; shutting down the rest (logs: .local/logs/)"
exit 1
