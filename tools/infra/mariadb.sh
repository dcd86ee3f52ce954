#!/usr/bin/env bash
# Local MariaDB for the segmentation platform: one database and one least-privilege user per
# service (ingest, rfm, clustering, profiling). Idempotent; safe to run any number of times.
#
# Usage: tools/infra/mariadb.sh <ensure|provision|status|stop>
#   ensure     reuse a server answering on SEG_DB_HOST:SEG_DB_PORT; else start the installed
#              mariadbd; else install mariadb-server from apt and start it.
#   provision  ensure, then create/refresh databases seg_<svc> and users seg_<svc>.
#   status     whether the server answers, and its version.
#   stop       stop mariadbd only if this project started it (.local/mariadb.started).
#
# Environment:
#   SEG_DB_HOST (127.0.0.1), SEG_DB_PORT (3306)
#   SEG_DB_ADMIN_CMD      admin client command, words split on blanks (default: "mariadb -uroot",
#                         root via the socket; "sudo -n mariadb" when not root and that is refused)
#   SEG_<SVC>_DB_PASSWORD password of seg_<svc> (else read from / generated into .local/secrets.env)
#   SEG_DB_START_TIMEOUT  seconds to wait for a started server (60)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="$ROOT/.local"
SECRETS_FILE="$LOCAL_DIR/secrets.env"
STARTED_FILE="$LOCAL_DIR/mariadb.started"
SERVICES=(ingest rfm clustering profiling)

DB_HOST="${SEG_DB_HOST:-127.0.0.1}"
DB_PORT="${SEG_DB_PORT:-3306}"
START_TIMEOUT="${SEG_DB_START_TIMEOUT:-60}"
MARIADBD=/usr/sbin/mariadbd

log() { printf '[mariadb] %s\n' "$*" >&2; }
die() { printf '[mariadb] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root (directly, or through non-interactive sudo).
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root for: $* (no sudo available)"
  fi
}

client_bin() {
  if command -v mariadb >/dev/null 2>&1; then echo mariadb
  elif command -v mysql >/dev/null 2>&1; then echo mysql
  else return 1
  fi
}

admin_bin() {
  if command -v mariadb-admin >/dev/null 2>&1; then echo mariadb-admin
  elif command -v mysqladmin >/dev/null 2>&1; then echo mysqladmin
  else return 1
  fi
}

is_local_host() { [[ "$DB_HOST" == 127.0.0.1 || "$DB_HOST" == localhost || "$DB_HOST" == ::1 ]]; }

# Something accepts TCP connections on host:port (no client needed).
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$DB_HOST/$DB_PORT" 2>/dev/null; }

# The server answers the MySQL protocol over TCP. `mysqladmin ping` exits 0 even when access
# is denied, but not when the server refuses the client host outright (error 1130, e.g. a fresh
# data directory without any user @127.0.0.1): that refusal is an answer from a live server too.
answers() {
  local adm out
  if adm="$(admin_bin)"; then
    out="$("$adm" --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" -u seg_ping --connect-timeout=2 ping 2>&1)" \
      && return 0
    grep -qE '\b1130\b|is not allowed to connect|Access denied' <<<"$out"
  else
    port_open
  fi
}

# Admin access (root via the local socket unless SEG_DB_ADMIN_CMD says otherwise).
ADMIN_CMD=()
resolve_admin() {
  [[ ${#ADMIN_CMD[@]} -gt 0 ]] && return 0
  if [[ -n "${SEG_DB_ADMIN_CMD:-}" ]]; then
    read -r -a ADMIN_CMD <<<"$SEG_DB_ADMIN_CMD"
    "${ADMIN_CMD[@]}" -N -B -e 'select 1' >/dev/null 2>&1 \
      || die "SEG_DB_ADMIN_CMD ($SEG_DB_ADMIN_CMD) cannot run queries"
    return 0
  fi
  local cli; cli="$(client_bin)" || die "no mariadb/mysql client installed"
  # Local server: root through the socket. Remote server: root over TCP (set SEG_DB_ADMIN_CMD
  # when it needs a password).
  local conn=()
  is_local_host || conn=(--protocol=tcp -h "$DB_HOST" -P "$DB_PORT")
  if "$cli" "${conn[@]}" -uroot -N -B -e 'select 1' >/dev/null 2>&1; then
    ADMIN_CMD=("$cli" "${conn[@]}" -uroot)
  elif [[ "$(id -u)" -ne 0 ]] && command -v sudo >/dev/null 2>&1 \
       && sudo -n "$cli" "${conn[@]}" -N -B -e 'select 1' >/dev/null 2>&1; then
    ADMIN_CMD=(sudo -n "$cli" "${conn[@]}")
  else
    die "no admin access: '$cli -uroot' is refused; set SEG_DB_ADMIN_CMD (e.g. 'mariadb -uroot -pSECRET')"
  fi
}

sql() { resolve_admin; "${ADMIN_CMD[@]}" -N -B "$@"; }

server_version() {
  local v; v="$( (sql -e 'select version()') 2>/dev/null)" || v=""
  echo "${v:-version unknown}"
}

apt_install() {
  log "installing $* from apt (this takes a minute)"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y -q "$@" >/dev/null; then
    log "apt-get install failed; running apt-get update and retrying"
    as_root apt-get update -q >/dev/null
    as_root apt-get install -y -q "$@" >/dev/null || die "apt-get install $* failed"
  fi
}

error_log_hint() {
  local f=""
  command -v my_print_defaults >/dev/null 2>&1 \
    && f="$(my_print_defaults --mysqld 2>/dev/null | sed -n 's/^--log[-_]error=//p' | tail -n1)"
  echo "${f:-$LOCAL_DIR/mariadbd.out (or the system journal)}"
}

start_server() {
  is_local_host || die "no server answers on $DB_HOST:$DB_PORT, and it is not a local address to start one on"
  # A mariadbd that runs but does not answer is starting up (or listens elsewhere): wait for
  # it rather than start a second server on the same data directory.
  local running; running="$(pgrep -o -x mariadbd || true)"
  if [[ -n "$running" ]]; then
    log "mariadbd (pid $running) runs but does not answer on $DB_HOST:$DB_PORT yet; waiting"
    wait_answer "mariadbd (pid $running) does not answer on $DB_HOST:$DB_PORT; check its port/bind-address or see $(error_log_hint)"
    return 0
  fi
  # A fresh install normally has an initialised data directory; create it if it does not.
  local datadir
  datadir="$(my_print_defaults --mysqld 2>/dev/null | sed -n 's/^--datadir=//p' | tail -n1)"
  datadir="${datadir:-/var/lib/mysql}"
  if [[ ! -d "$datadir/mysql" ]]; then
    log "initialising data directory $datadir"
    as_root mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/dev/null 2>&1 \
      || die "mariadb-install-db failed for $datadir"
  fi
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld
  mkdir -p "$LOCAL_DIR"
  local out=()
  # Keep the server's early output (before its error log opens) when start-stop-daemon can.
  start-stop-daemon --help 2>&1 | grep -q -- '--output' && out=(--output "$LOCAL_DIR/mariadbd.out")
  local extra=()
  [[ "$DB_PORT" != 3306 ]] && extra+=(--port="$DB_PORT")
  log "starting $MARIADBD"
  # 9>&- : do not hand our lock descriptor to the long-lived server.
  as_root start-stop-daemon --start --oknodo --background "${out[@]}" \
    --exec "$MARIADBD" -- --user=mysql "${extra[@]}" 9>&-
  local t0=$SECONDS
  wait_answer "mariadbd did not answer on $DB_HOST:$DB_PORT within ${START_TIMEOUT}s; see $(error_log_hint)"
  local pid; pid="$(pgrep -o -x mariadbd || true)"
  echo "${pid:-unknown}" >"$STARTED_FILE"
  log "started mariadbd (pid ${pid:-?}) after $((SECONDS - t0))s; recorded in ${STARTED_FILE#"$ROOT"/}"
}

wait_answer() { # error message on timeout
  local deadline=$((SECONDS + START_TIMEOUT))
  until answers; do
    (( SECONDS >= deadline )) && die "$1"
    sleep 0.5
  done
}

cmd_ensure() {
  if answers; then
    client_bin >/dev/null || apt_install mariadb-client
    log "reusing server on $DB_HOST:$DB_PORT ($(server_version))"
    return 0
  fi
  if [[ ! -x "$MARIADBD" ]]; then
    is_local_host || die "no server answers on $DB_HOST:$DB_PORT"
    apt_install mariadb-server mariadb-client
    # The package's maintainer scripts may have started it already.
    if answers; then
      log "server started by the package installer on $DB_HOST:$DB_PORT ($(server_version))"
      return 0
    fi
  fi
  start_server
  log "server on $DB_HOST:$DB_PORT ($(server_version))"
}

# --- secrets ---------------------------------------------------------------------------------

secret_get() { # KEY -> value from secrets.env (empty if absent)
  [[ -f "$SECRETS_FILE" ]] || return 0
  sed -n "s/^$1=//p" "$SECRETS_FILE" | tail -n1
}

secret_put() { # KEY VALUE -> append (only called when KEY is absent)
  mkdir -p "$LOCAL_DIR"
  ( umask 077; touch "$SECRETS_FILE" )
  # Keep the file newline-terminated before appending.
  [[ -s "$SECRETS_FILE" && -n "$(tail -c1 "$SECRETS_FILE")" ]] && echo >>"$SECRETS_FILE"
  printf '%s=%s\n' "$1" "$2" >>"$SECRETS_FILE"
}

gen_password() {
  if command -v openssl >/dev/null 2>&1; then openssl rand -hex 16
  else head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; echo
  fi
}

# Password for a service: env SEG_<SVC>_DB_PASSWORD, else secrets.env, else a new one (stored).
service_password() {
  local key; key="SEG_$(tr '[:lower:]' '[:upper:]' <<<"$1")_DB_PASSWORD"
  local pw="${!key:-}"
  if [[ -n "$pw" ]]; then echo "$pw"; return; fi
  pw="$(secret_get "$key")"
  if [[ -z "$pw" ]]; then
    pw="$(gen_password)"
    secret_put "$key" "$pw"
    log "generated $key into ${SECRETS_FILE#"$ROOT"/}"
  fi
  echo "$pw"
}

sql_str() { # quote a value as an SQL string literal
  local s="${1//\\/\\\\}"
  printf "'%s'" "${s//\'/\'\'}"
}

cmd_provision() {
  cmd_ensure
  resolve_admin
  mkdir -p "$LOCAL_DIR"
  exec 9>"$LOCAL_DIR/mariadb.lock"
  flock -w 120 9 || die "another provisioning run holds $LOCAL_DIR/mariadb.lock"

  # Services bulk-load with LOAD DATA LOCAL INFILE. That needs no FILE privilege (the client
  # sends the file), only local_infile=ON on the server, which is MariaDB's default.
  if [[ "$(sql -e 'select @@global.local_infile')" != 1 ]]; then
    log "local_infile is OFF on this server; turning it on (SET GLOBAL, not persistent)"
    sql -e 'SET GLOBAL local_infile = 1'
  fi

  local svc db user pw q host stmts
  for svc in "${SERVICES[@]}"; do
    db="seg_$svc"; user="seg_$svc"
    pw="$(service_password "$svc")"; q="$(sql_str "$pw")"
    # In GRANT, '_' and '%' in a database name are wildcards: escape '_' so seg_rfm means
    # exactly seg_rfm; the test pattern seg\_rfm\_test% covers throwaway test databases.
    local esc="seg\\_${svc}"
    stmts="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;"
    for host in localhost 127.0.0.1; do
      local acct="'$user'@'$host'"
      # Drop any privilege beyond the expected set (e.g. granted by hand), then grant exactly it.
      local extra
      extra="$(sql -e "
        SELECT COUNT(*) FROM (
          SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES
            WHERE GRANTEE = \"$acct\" AND PRIVILEGE_TYPE <> 'USAGE'
          UNION ALL
          SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES
            WHERE GRANTEE = \"$acct\" AND (TABLE_SCHEMA NOT IN ('$esc', '$esc\\\\_test%') OR IS_GRANTABLE = 'YES')
          UNION ALL
          SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = \"$acct\"
          UNION ALL
          SELECT PRIVILEGE_TYPE FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE = \"$acct\"
        ) x")"
      stmts+="CREATE USER IF NOT EXISTS $acct IDENTIFIED BY $q;"
      stmts+="ALTER USER $acct IDENTIFIED BY $q;"
      if [[ "$extra" != 0 ]]; then
        log "$user@$host had extra privileges; resetting them"
        stmts+="REVOKE ALL PRIVILEGES, GRANT OPTION FROM $acct;"
      fi
      stmts+="GRANT ALL PRIVILEGES ON \`$esc\`.* TO $acct;"
      stmts+="GRANT ALL PRIVILEGES ON \`$esc\\_test%\`.* TO $acct;"
    done
    # Statements on stdin, so passwords never appear in the process list.
    sql <<<"$stmts" || die "provisioning $db failed"
    log "provisioned database $db and user $user (@localhost, @127.0.0.1)"
  done
  [[ -f "$SECRETS_FILE" ]] && chmod 600 "$SECRETS_FILE"
  log "passwords: env SEG_<SVC>_DB_PASSWORD, else ${SECRETS_FILE#"$ROOT"/}"
}

cmd_status() {
  if answers; then
    local v="unknown"
    if client_bin >/dev/null; then v="$(server_version)"; fi
    echo "mariadb: answering on $DB_HOST:$DB_PORT ($v)"
    [[ -f "$STARTED_FILE" ]] && echo "mariadb: started by this project (pid $(cat "$STARTED_FILE"))"
    return 0
  fi
  echo "mariadb: not answering on $DB_HOST:$DB_PORT"
  return 1
}

cmd_stop() {
  if [[ ! -f "$STARTED_FILE" ]]; then
    log "leaving MariaDB running (not started by this project)"
    return 0
  fi
  local pid; pid="$(cat "$STARTED_FILE")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == mariadbd ]]; then
    log "stopping mariadbd (pid $pid) started by this project"
    as_root kill -TERM "$pid"
    local i
    for ((i = 0; i < 60; i++)); do
      [[ -e "/proc/$pid" ]] || break
      sleep 1
    done
    [[ -e "/proc/$pid" ]] && die "mariadbd (pid $pid) still running after 60s"
    log "stopped"
  else
    log "mariadbd recorded in ${STARTED_FILE#"$ROOT"/} is gone"
  fi
  rm -f "$STARTED_FILE"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  provision) cmd_provision ;;
  status) cmd_status ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 <ensure|provision|status|stop>" >&2; exit 2 ;;
esac
