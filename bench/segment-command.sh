#!/usr/bin/env bash
# The whole `segment` command (bundled build) on the full Online Retail file next to the same
# analysis written with pandas + scikit-learn (bench/segment_sklearn.py), on the same machine, one
# after the other. Prints one table: wall time (median of BENCH_RUNS runs, hyperfine when
# installed), CPU time and peak memory (RSS, from /usr/bin/time -v), and ratios to pandas +
# scikit-learn. Target: segment within 2x of pandas + scikit-learn.
#
#   bash bench/segment-command.sh [file.csv[.gz]]
#
# The file defaults to ../shared/data/online_retail/online_retail.csv.gz next to the repository.
# Environment: BENCH_RUNS (3), BENCH_SKIP_BUILD=1 (time the existing dist/ bundle as it is),
# BENCH_RFM_ONLY=0 (leave out the pandas RFM-only reference row), PYTHON (/usr/bin/python3).
#
# Contenders:
#   segment                node dist/apps/segment-cli/main.js with its defaults: stream, validate
#                          and clean, RFM metrics and scores, log1p + z-score, k-means k=2..10
#                          (10 starts each) with silhouette (sample of min(n, 10,000) points),
#                          Davies-Bouldin and Calinski-Harabasz, final fit, profiles, names,
#                          coupons, PCA; writes customers.csv, report.json, report.md
#   pandas + scikit-learn  bench/segment_sklearn.py: the same steps the notebook way (without row
#                          reasons, names, coupons and PCA), KMeans(n_init=10, algorithm='lloyd'),
#                          one thread (OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1)
#   pandas RFM only        libs/domain/rfm/fixtures/online_retail_rfm.py: reading, cleaning, RFM
#                          and scores, no clustering (a reference for how the time splits)
# Needs Node.js; the Python rows need /usr/bin/python3 with pandas and scikit-learn (Debian:
# apt-get install python3-pandas python3-sklearn), hyperfine and GNU time are optional (apt).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${1:-$ROOT/../shared/data/online_retail/online_retail.csv.gz}
RUNS=${BENCH_RUNS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -r "$DATA" ] || { echo "bench: cannot read $DATA (pass the Online Retail file as the first argument)" >&2; exit 1; }
DATA=$(cd "$(dirname "$DATA")" && pwd)/$(basename "$DATA")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "building apps/segment-cli ..." >&2
  node tools/build/build-app.mjs apps/segment-cli >/dev/null
fi
[ -f dist/apps/segment-cli/main.js ] || { echo "bench: dist/apps/segment-cli/main.js is missing (build it or unset BENCH_SKIP_BUILD)" >&2; exit 1; }

have_gnu_time=0
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then have_gnu_time=1; fi
have_hyperfine=0
if command -v hyperfine >/dev/null 2>&1; then have_hyperfine=1; fi
have_python=0
if "$PYTHON" -c 'import pandas, sklearn' 2>/dev/null; then have_python=1; fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)

seconds() { # h:mm:ss or m:ss.ss -> seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}

ROWS=()
measure() { # key, name, command...
  local key=$1 name=$2
  shift 2
  local log="$WORK/$key"
  local cpu=n/a rss=n/a
  echo "running: $name (1 run for memory, then $RUNS timed runs) ..." >&2
  # 1. One run under GNU time: peak RSS and CPU time; it also warms the page cache.
  if [ "$have_gnu_time" = 1 ]; then
    if ! /usr/bin/time -v -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
      echo "bench: $name failed:" >&2
      tail -5 "$log.err" >&2
      ROWS+=("$key|$name|failed||||")
      return 0
    fi
    local user sys
    user=$(grep 'User time (seconds)' "$log.time" | awk '{ print $NF }')
    sys=$(grep 'System time (seconds)' "$log.time" | awk '{ print $NF }')
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    rss=$(grep 'Maximum resident set size' "$log.time" | awk '{ printf "%.0f", $NF / 1024 }')
  elif ! "$@" >"$log.out" 2>"$log.err"; then
    echo "bench: $name failed:" >&2
    tail -5 "$log.err" >&2
    ROWS+=("$key|$name|failed||||")
    return 0
  fi
  # 2. Wall time: the median of RUNS runs.
  local median low high
  if [ "$have_hyperfine" = 1 ]; then
    local command
    command=$(printf '%q ' "$@")
    hyperfine --runs "$RUNS" --shell=none --style basic --export-json "$log.hyperfine.json" --command-name "$name" "$command" >&2
    read -r median low high < <(node -e '
      const r = require(process.argv[1]).results[0];
      console.log([r.median, r.min, r.max].map((s) => s.toFixed(2)).join(" "));' "$log.hyperfine.json")
  else
    local times=()
    for _ in $(seq "$RUNS"); do
      local started ended
      started=$(date +%s.%N)
      "$@" >"$log.out" 2>"$log.err"
      ended=$(date +%s.%N)
      times+=("$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.3f", b - a }')")
    done
    read -r median low high < <(printf '%s\n' "${times[@]}" | sort -n | awk '{ t[NR] = $1 } END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.2f %.2f %.2f\n", m, t[1], t[NR] }')
  fi
  ROWS+=("$key|$name|$median|$low|$high|$cpu|$rss")
}

measure segment "segment (node, bundled)" node dist/apps/segment-cli/main.js --input "$DATA" --out "$WORK/segment-out"
if [ "$have_python" = 1 ]; then
  measure sklearn "pandas + scikit-learn" env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    "$PYTHON" bench/segment_sklearn.py "$DATA" "$WORK/sklearn-out" --restarts 10 --seed 42
  if [ "${BENCH_RFM_ONLY:-1}" = 1 ]; then
    measure rfm "pandas RFM only (reference)" "$PYTHON" libs/domain/rfm/fixtures/online_retail_rfm.py "$DATA" "$WORK/rfm-out.json"
  fi
else
  echo "bench: $PYTHON has no pandas or scikit-learn; Python rows skipped (apt-get install python3-pandas python3-sklearn)" >&2
fi

echo
echo "== the segment command vs pandas + scikit-learn =="
echo "file: $DATA ($(du -h "$DATA" | cut -f1))"
echo "machine: $(nproc) CPUs, load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a) after; node $(node --version)$("$PYTHON" -c 'import pandas, sklearn, numpy; print(", pandas " + pandas.__version__ + ", scikit-learn " + sklearn.__version__ + ", numpy " + numpy.__version__)' 2>/dev/null || true)"
echo "wall: median of $RUNS runs ($([ "$have_hyperfine" = 1 ] && echo "hyperfine $(hyperfine --version | awk '{ print $2 }')" || echo 'date, hyperfine not installed')); CPU and peak RSS: one more run under $([ "$have_gnu_time" = 1 ] && echo '/usr/bin/time -v' || echo 'nothing (GNU time not installed)')"
if [ -f "$WORK/segment-out/report.json" ] && [ -f "$WORK/sklearn-out/report.json" ]; then
  node -e '
    const s = require(process.argv[1]);
    const p = require(process.argv[2]);
    console.log(`segment: ${s.population.customers} customers, k = ${s.chosenK.k}; pandas + scikit-learn: ${p.customers} customers, k = ${p.chosenK}` +
      (s.population.customers === p.customers && s.chosenK.k === p.chosenK ? " (same)" : " (DIFFERENT: check the inputs)"));' \
    "$WORK/segment-out/report.json" "$WORK/sklearn-out/report.json"
fi
echo

base_wall= base_rss= seg_wall=
for row in "${ROWS[@]}"; do
  IFS='|' read -r key _ median _ _ _ rss <<<"$row"
  if [ "$median" = failed ]; then continue; fi
  if [ "$key" = sklearn ]; then base_wall=$median base_rss=$rss; fi
  if [ "$key" = segment ]; then seg_wall=$median; fi
done
ratio() { # value, base
  if [ -z "$2" ] || [ "$1" = n/a ] || [ "$2" = n/a ] || [ "$1" = failed ]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; fi
}
format='%-28s %9s %13s %12s %14s %11s %10s\n'
printf "$format" "contender" "wall (s)" "min..max (s)" "CPU (s)" "peak RSS (MB)" "wall ratio" "RSS ratio"
printf "$format" "----------------------------" "---------" "-------------" "------------" "--------------" "-----------" "----------"
for row in "${ROWS[@]}"; do
  IFS='|' read -r key name median low high cpu rss <<<"$row"
  range=$([ "$median" = failed ] && echo "" || echo "$low..$high")
  printf "$format" "$name" "$median" "$range" "$cpu" "$rss" "$(ratio "$median" "$base_wall")" "$(ratio "$rss" "$base_rss")"
done
echo
if [ -n "$base_wall" ] && [ -n "$seg_wall" ]; then
  awk -v a="$seg_wall" -v b="$base_wall" 'BEGIN { r = a / b; printf "target: segment within 2x of pandas + scikit-learn (wall): %.2fx, %s\n", r, (r <= 2 ? "met" : "NOT met") }'
fi
