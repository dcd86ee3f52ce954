#!/usr/bin/env bash
# Times the `segment` command on the full Online Retail file next to the repository's pandas and
# pandas + scikit-learn scripts (the notebook way of doing the same analysis), one after the
# other on the same machine, and prints one table: wall time, CPU time and peak memory (RSS).
#
#   bash apps/segment-cli/bench/segment-command.sh [file.csv.gz]
#
# What each contender does:
#   segment            stream + validate + clean, RFM metrics and scores, k-means sweep k=2..10
#                      (10 restarts each) with silhouette, Davies-Bouldin, Calinski-Harabasz,
#                      profiles, names, coupons; writes customers.csv, report.json, report.md
#   pandas RFM         libs/domain/rfm/fixtures/online_retail_rfm.py: cleaning, RFM metrics,
#                      cut-points and scores (no clustering)
#   pandas + sklearn   libs/domain/clustering/fixtures/sklearn_metrics.py: cleaning, RFM values,
#                      StandardScaler, KMeans k=2..10 (n_init=10) with the same three metrics, PCA
#                      (plus two tiny synthetic cases); writes every label to JSON
# Needs Node.js and, for the Python rows, /usr/bin/python3 with pandas and scikit-learn (Debian:
# apt-get install python3-pandas python3-sklearn); a missing Python stack skips those rows.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
DATA=${1:-/work/shared/data/online_retail/online_retail.csv.gz}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -r "$DATA" ] || { echo "bench: cannot read $DATA (pass the Online Retail file as the first argument)" >&2; exit 1; }
DATA=$(cd "$(dirname "$DATA")" && pwd)/$(basename "$DATA")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

echo "building apps/segment-cli ..." >&2
node tools/build/build-app.mjs apps/segment-cli >/dev/null

have_gnu_time=0
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then have_gnu_time=1; fi

seconds() { # h:mm:ss or m:ss.ss -> seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}

ROWS=()
measure() { # name, command...
  local name=$1
  shift
  local log="$WORK/${name// /_}"
  echo "running: $name ..." >&2
  if [ "$have_gnu_time" = 1 ]; then
    if ! /usr/bin/time -v -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
      echo "bench: $name failed:" >&2
      tail -5 "$log.err" >&2
      ROWS+=("$name|failed|||")
      return 0
    fi
    local wall user sys rss
    wall=$(seconds "$(grep 'Elapsed (wall clock)' "$log.time" | awk '{ print $NF }')")
    user=$(grep 'User time (seconds)' "$log.time" | awk '{ print $NF }')
    sys=$(grep 'System time (seconds)' "$log.time" | awk '{ print $NF }')
    rss=$(grep 'Maximum resident set size' "$log.time" | awk '{ printf "%.0f", $NF / 1024 }')
    ROWS+=("$name|$wall|$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')|$rss")
  else
    local started ended
    started=$(date +%s.%N)
    "$@" >"$log.out" 2>"$log.err" || { ROWS+=("$name|failed|||"); return 0; }
    ended=$(date +%s.%N)
    ROWS+=("$name|$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.2f", b - a }')|n/a|n/a")
  fi
}

measure "segment (node, bundled)" node dist/apps/segment-cli/main.js --input "$DATA" --out "$WORK/segment-out"
if "$PYTHON" -c 'import pandas, sklearn' 2>/dev/null; then
  measure "pandas RFM" "$PYTHON" libs/domain/rfm/fixtures/online_retail_rfm.py "$DATA" "$WORK/rfm.json"
  measure "pandas + scikit-learn" "$PYTHON" libs/domain/clustering/fixtures/sklearn_metrics.py "$DATA" "$WORK/sklearn.json"
else
  echo "bench: $PYTHON has no pandas or scikit-learn; Python rows skipped" >&2
fi

echo
echo "file: $DATA ($(du -h "$DATA" | cut -f1)), $(nproc) CPUs, node $(node --version)$("$PYTHON" -c 'import pandas, sklearn; print(", pandas " + pandas.__version__ + ", scikit-learn " + sklearn.__version__)' 2>/dev/null || true)"
if [ -f "$WORK/segment-out/report.json" ]; then
  node -e 'const r = require(process.argv[1]); console.log(`segment: ${r.quality.rowsRead} rows, ${r.population.customers} customers, k = ${r.chosenK.k}`)' "$WORK/segment-out/report.json"
fi
echo
printf '%-26s %10s %14s %14s\n' "contender" "wall (s)" "user+sys (s)" "peak RSS (MB)"
printf '%-26s %10s %14s %14s\n' "--------------------------" "----------" "--------------" "--------------"
for row in "${ROWS[@]}"; do
  IFS='|' read -r name wall cpu rss <<<"$row"
  printf '%-26s %10s %14s %14s\n' "$name" "$wall" "$cpu" "$rss"
done
