#!/bin/sh
# Starts the app named by APP (gateway, ingest-service, rfm-service, clustering-service,
# profiling-service, dashboard) from its bundle. exec, so the app receives SIGTERM itself and shuts down cleanly.
set -eu
app="${APP:-}"
bundle="/app/dist/apps/${app}/main.js"
if [ -z "$app" ] || [ ! -f "$bundle" ]; then
  echo "APP must name one of: $(ls /app/dist/apps | tr '\n' ' ')(got \"${app}\")" >&2
  exit 64
fi
# 32 MiB semispaces, as tools/start.sh: a batch's objects die young (bench/README.md).
exec node --max-semi-space-size=32 "$bundle" "$@"
