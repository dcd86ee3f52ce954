#!/usr/bin/env bash
# Both benchmarks in one run, their tables one after the other (see bench/README.md):
#   1. bench/segment-command.sh  the whole `segment` command vs pandas + scikit-learn
#   2. bench/kmeans.ts           fitKMeans vs scikit-learn KMeans (and ml-kmeans' own k-means++)
#
#   bash bench/run-all.sh [file.csv[.gz]]
#
# The file defaults to ../shared/data/online_retail/online_retail.csv.gz next to the repository.
# Progress goes to stderr, the tables to stdout: `bash bench/run-all.sh 2>/dev/null` keeps only
# the tables. Environment: see the two scripts (BENCH_RUNS, BENCH_SKIP_BUILD, BENCH_RFM_ONLY, PYTHON),
# BENCH_REPEAT (5, fits per k) and BENCH_SCALE (20, copies of the matrix for the third k-means table).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${1:-$ROOT/../shared/data/online_retail/online_retail.csv.gz}
[ -r "$DATA" ] || { echo "bench: cannot read $DATA (pass the Online Retail file as the first argument)" >&2; exit 1; }
DATA=$(cd "$(dirname "$DATA")" && pwd)/$(basename "$DATA")
cd "$ROOT"

started=$(date +%s)
echo "# benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
echo "# (a load average near or above the CPU count means other work ran alongside: expect noise)"
echo

status=0
bash bench/segment-command.sh "$DATA" || status=1
echo
echo "== k-means: fitKMeans vs scikit-learn KMeans =="
npx --no-install tsx bench/kmeans.ts "$DATA" --repeat "${BENCH_REPEAT:-5}" --scale "${BENCH_SCALE:-20}" || status=1
echo
echo "# done in $(($(date +%s) - started)) s, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
exit "$status"
