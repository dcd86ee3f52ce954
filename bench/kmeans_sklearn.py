"""scikit-learn's side of bench/kmeans.ts: KMeans on the points bench/kmeans.ts wrote.

For each k: one warm-up fit, then --repeat timed fits of
KMeans(n_clusters=k, n_init=N, init='k-means++', algorithm='lloyd', random_state=seed) with
scikit-learn's defaults otherwise (max_iter=300, tol=1e-4), on one thread (OMP, OpenBLAS and MKL
limited to 1 before numpy loads, and threadpoolctl when present). Writes the median time, every
time, the inertia and the iterations of each k to OUTPUT as JSON.

Usage: /usr/bin/python3 bench/kmeans_sklearn.py POINTS.json OUTPUT.json [--k-min 2] [--k-max 10]
       [--n-init 10] [--seed 42] [--repeat 5]
POINTS.json: {"points": [[x, y, z], ...], ...} as bench/kmeans.ts writes it.
"""
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - older stacks
    threadpool_limits = None

parser = argparse.ArgumentParser()
parser.add_argument("points")
parser.add_argument("output")
parser.add_argument("--k-min", type=int, default=2)
parser.add_argument("--k-max", type=int, default=10)
parser.add_argument("--n-init", type=int, default=10)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--repeat", type=int, default=5)
args = parser.parse_args()

with open(args.points) as f:
    X = np.asarray(json.load(f)["points"], dtype=np.float64)


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


baseline_mb = rss_mb()


def fit(k):
    return KMeans(n_clusters=k, n_init=args.n_init, init="k-means++", algorithm="lloyd", random_state=args.seed).fit(X)


def sweep():
    entries = []
    for k in range(args.k_min, args.k_max + 1):
        model = fit(k)  # warm-up; the fit is deterministic given random_state
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            fit(k)
            runs.append((time.perf_counter() - started) * 1000)
        entries.append({"k": k, "ms": statistics.median(runs), "runs": runs, "inertia": float(model.inertia_), "iterations": int(model.n_iter_)})
        print(f"scikit-learn k={k}: {statistics.median(runs):.1f} ms", file=sys.stderr)
    return entries


if threadpool_limits is not None:
    with threadpool_limits(limits=1):
        entries = sweep()
    threads = "1 (threadpoolctl, OMP_NUM_THREADS=" + os.environ["OMP_NUM_THREADS"] + ")"
else:
    entries = sweep()
    threads = "OMP_NUM_THREADS=" + os.environ["OMP_NUM_THREADS"]

result = {
    "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__},
    "threads": threads,
    "points": int(X.shape[0]),
    "checksum": float(np.abs(X).sum()),
    "baselineMb": baseline_mb,
    "peakMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "entries": entries,
}
with open(args.output, "w") as f:
    json.dump(result, f)
