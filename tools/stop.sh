#!/usr/bin/env bash
# Stops services left running by an interrupted main job, and the broker this project started.
set -uo pipefail
SCRIPT_NAME=stop
. "$(dirname "$0")/lib/common.sh"
for app in "${APPS[@]}" dashboard; do
  pkill -TERM -f "node --enable-source-maps (--max-semi-space-size=32 )?dist/apps/$app/main.js" && say "stopped $app"
done
bash "$ROOT/tools/infra/down.sh"
