# Shared by the project's scripts: paths, logging, npm install, secrets and service environment.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL="$ROOT/.local"
LOGS="$LOCAL/logs"
SECRETS="$LOCAL/secrets.env"
APPS=(ingest-service rfm-service clustering-service profiling-service gateway)
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE_WARNING=true APOLLO_TELEMETRY_DISABLED=1

say() { printf '[%s] %s\n' "${SCRIPT_NAME:-seg}" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Installs npm packages when node_modules is missing or older than the lock file or a patch of
# patches/ (patch-package applies those after every install).
ensure_node_modules() {
  command -v node >/dev/null || die "node is not installed (Node.js 20.19 or newer is needed)"
  local installed="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$installed" ] || [ "$ROOT/package-lock.json" -nt "$installed" ] || [ -n "$(find "$ROOT/patches" -newer "$installed" -print -quit 2>/dev/null)" ]; then
    say "installing npm packages (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  fi
}

# Generates a random hex secret.
random_secret() { od -An -N"${1:-24}" -tx1 /dev/urandom | tr -d ' \n'; }

# Makes sure the gateway secret and one API key per role exist in .local/secrets.env (never
# committed), then exports everything in that file.
ensure_app_secrets() {
  mkdir -p "$LOCAL"
  touch "$SECRETS" && chmod 600 "$SECRETS"
  grep -q '^SEG_GATEWAY_SECRET=' "$SECRETS" || echo "SEG_GATEWAY_SECRET=$(random_secret 24)" >>"$SECRETS"
  if ! grep -q '^SEG_API_KEYS=' "$SECRETS"; then
    echo "SEG_API_KEYS=admin:adm_$(random_secret 16),marketer:mkt_$(random_secret 16),viewer:vwr_$(random_secret 16)" >>"$SECRETS"
  fi
  set -a
  # shellcheck disable=SC1090
  . "$SECRETS"
  set +a
}

# The API key of a role, read from SEG_API_KEYS.
api_key() {
  local role=$1 entry
  IFS=',' read -ra entries <<<"$SEG_API_KEYS"
  for entry in "${entries[@]}"; do
    if [ "${entry%%:*}" = "$role" ]; then echo "${entry#*:}"; return 0; fi
  done
  return 1
}

build_apps() {
  say "building the apps (nx run-many -t build)"
  (cd "$ROOT" && npx nx run-many -t build --projects='tag:type:app' --outputStyle=static --parallel=2 >"$LOGS/build.log" 2>&1) \
    || { tail -30 "$LOGS/build.log" >&2; die "build failed (log: $LOGS/build.log)"; }
}
