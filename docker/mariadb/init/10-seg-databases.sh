#!/bin/bash
# Runs once, when the MariaDB container initialises an empty data volume: one database and one
# user per service, each user limited to its own database (services never see each other's data
# and never connect as root). Passwords come from the container environment (docker/.env).
#
# The image's entrypoint sources this file (it is not executable) and provides docker_process_sql;
# run on its own, it falls back to the client over the local socket. The work happens in a
# subshell so that its shell options do not leak into the entrypoint that sources this file.
(
set -eu

run_sql() {
  if command -v docker_process_sql >/dev/null 2>&1; then
    docker_process_sql
  else
    MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-${MYSQL_ROOT_PASSWORD:-}}" "$(command -v mariadb || command -v mysql)" --protocol=socket -uroot
  fi
}

# Quotes a value as an SQL string literal.
sql_string() {
  printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g")"
}

for svc in ingest rfm clustering profiling; do
  upper="$(printf '%s' "$svc" | tr '[:lower:]' '[:upper:]')"
  var="SEG_${upper}_DB_PASSWORD"
  password="$(printenv "$var" || true)"
  if [ -z "$password" ]; then
    echo "10-seg-databases.sh: $var is not set in the mariadb container environment" >&2
    false
  fi
  db="seg_${svc}"
  # In GRANT, '_' is a wildcard: seg\_rfm means exactly seg_rfm.
  grant_db="seg\\_${svc}"
  run_sql <<SQL
CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER IF NOT EXISTS '${db}'@'%' IDENTIFIED BY $(sql_string "$password");
GRANT ALL PRIVILEGES ON \`${grant_db}\`.* TO '${db}'@'%';
SQL
  echo "10-seg-databases.sh: database ${db} and user ${db} ready"
done
)
