#!/usr/bin/env bash
# The test command: installs what is missing, brings up MariaDB and Kafka, then runs lint, type
# checks, the supergraph check, builds the apps, and runs every unit, integration and end-to-end
# test in one Jest run (one summary). Extra arguments go to Jest (e.g. a path filter).
set -euo pipefail
SCRIPT_NAME=test
. "$(dirname "$0")/lib/common.sh"
mkdir -p "$LOGS"
cd "$ROOT"
started=$(date +%s)

ensure_node_modules
bash tools/infra/up.sh
ensure_app_secrets

say "lint and type checks"
npx nx run-many -t lint typecheck --outputStyle=static --parallel=2 >"$LOGS/checks.log" 2>&1 \
  || { grep -E "error|Error|failed" "$LOGS/checks.log" | head -60 >&2; die "lint or type check failed (log: $LOGS/checks.log)"; }
say "supergraph up to date"
npx tsx tools/compose-supergraph.ts --check
build_apps
# The dashboard's browser test drives Debian's Chromium (installed here when missing).
bash tools/infra/chromium.sh

say "jest: unit, integration (real MariaDB and Kafka) and end-to-end tests"
npx jest -c jest.workspace.cjs --maxWorkers=2 "$@"
say "all checks passed in $(( $(date +%s) - started )) s"
