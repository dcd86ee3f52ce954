"""The `segment` command's analysis written the notebook way, with pandas and scikit-learn.

The anchor of bench/segment-command.sh: same input, same steps, same amount of k-means work as
`node dist/apps/segment-cli/main.js --input FILE --out DIR` with its defaults:

  read the CSV (gzip or plain), clean it (docs/product-conventions.md: rows without a customer,
  exact duplicates, cancellations `C`, adjustments `A`, purchases = quantity > 0 and price > 0),
  RFM metrics per customer (recency_days, frequency, monetary in cents) and 1..5 scores from the
  20/40/60/80th percentiles, log1p then z-score (StandardScaler), KMeans for k = 2..10 with
  n_init restarts each (k-means++, Lloyd) scored with silhouette (on min(n, 10,000) points, the
  command's sample size), Davies-Bouldin and Calinski-Harabasz, k chosen with the command's rule
  (kneedle elbow, else the nearest k within 0.05 of the best silhouette), one final fit of the
  chosen k, per-cluster profiles, then customers.csv and report.json in the output folder.

Not done here (the command does it): per-row validation with reasons, naming segments, coupons,
PCA, report.md. Those are small next to reading the file and the k sweep.

Single-threaded, like the command: OMP/OpenBLAS/MKL threads are set to 1 before numpy loads.

Usage (Debian: apt-get install python3-pandas python3-sklearn):
    /usr/bin/python3 bench/segment_sklearn.py FILE.csv[.gz] OUT_DIR [--restarts 10] [--seed 42]
"""
import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("source")
parser.add_argument("out")
parser.add_argument("--k-min", type=int, default=2)
parser.add_argument("--k-max", type=int, default=10)
parser.add_argument("--restarts", type=int, default=10)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--silhouette-sample", type=int, default=10_000)
args = parser.parse_args()

# --- cleaning and RFM --------------------------------------------------------------------------
df = pd.read_csv(args.source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
rows_read = len(df)
df["CustomerID"] = df["CustomerID"].str.strip()
attributable = df[df["CustomerID"] != ""]
duplicate = attributable.duplicated(keep="first")
clean = attributable[~duplicate].copy()
clean["qty"] = clean["Quantity"].astype("int64")
# Prices have at most 3 decimals: rounding price x 1000 gives the exact thousandths.
clean["price_milli"] = (pd.to_numeric(clean["UnitPrice"]) * 1000).round().astype("int64")
clean["amount_milli"] = clean["qty"] * clean["price_milli"]
clean["date"] = pd.to_datetime(clean["InvoiceDate"], format="%Y-%m-%d %H:%M:%S")
invoice = clean["InvoiceNo"]
is_purchase = ~invoice.str.startswith("C") & ~invoice.str.startswith("A") & (clean["qty"] > 0) & (clean["price_milli"] > 0)
purchases = clean[is_purchase]

as_of = purchases["date"].max() + pd.Timedelta(days=1)
per = purchases.groupby("CustomerID").agg(
    last=("date", "max"),
    frequency=("InvoiceNo", "nunique"),
    monetary_milli=("amount_milli", "sum"),
)
per["recency_days"] = np.floor((as_of - per["last"]) / pd.Timedelta(days=1)).astype("int64")
per["monetary"] = ((per["monetary_milli"] + 5) // 10) / 100

cuts = {name: np.percentile(per[name].to_numpy(dtype=float), [20, 40, 60, 80]) for name in ("recency_days", "frequency", "monetary")}


def below(name):
    return (per[name].to_numpy(dtype=float)[:, None] > cuts[name][None, :]).sum(axis=1)


per["r"] = 5 - below("recency_days")
per["f"] = 1 + below("frequency")
per["m"] = 1 + below("monetary")

# --- features and the k sweep ------------------------------------------------------------------
raw = per[["recency_days", "frequency", "monetary"]].to_numpy(dtype=float)
scaler = StandardScaler().fit(np.log1p(raw))
X = scaler.transform(np.log1p(raw))
n = len(X)
k_max = min(args.k_max, n - 1)
sample_size = min(n, args.silhouette_sample)


def fit(k):
    return KMeans(n_clusters=k, n_init=args.restarts, random_state=args.seed, algorithm="lloyd").fit(X)


sweep = []
for k in range(args.k_min, k_max + 1):
    model = fit(k)
    labels = model.labels_
    silhouette = silhouette_score(X, labels, sample_size=None if sample_size == n else sample_size, random_state=args.seed)
    sweep.append(
        {
            "k": k,
            "inertia": float(model.inertia_),
            "silhouette": float(silhouette),
            "daviesBouldin": float(davies_bouldin_score(X, labels)),
            "calinskiHarabasz": float(calinski_harabasz_score(X, labels)),
            "iterations": int(model.n_iter_),
        }
    )


def propose(entries, tolerance=0.05):
    """The command's rule (libs/domain/clustering/src/k-sweep.ts, proposeK)."""
    ks = np.array([e["k"] for e in entries], dtype=float)
    inertia = np.array([e["inertia"] for e in entries])
    best_sil = max(entries, key=lambda e: e["silhouette"])
    acceptable = [e for e in entries if e["silhouette"] >= best_sil["silhouette"] - tolerance]
    elbow = None
    if len(ks) >= 3 and inertia.max() > inertia.min():
        gap = 1 - (ks - ks[0]) / (ks[-1] - ks[0]) - (inertia - inertia.min()) / (inertia.max() - inertia.min())
        if gap.max() > 1e-12:
            elbow = int(ks[int(np.argmax(gap))])
    if elbow is None:
        return best_sil["k"]
    if any(e["k"] == elbow for e in acceptable):
        return elbow
    return min(acceptable, key=lambda e: (abs(e["k"] - elbow), e["k"]))["k"]


chosen_k = propose(sweep)
final = fit(chosen_k)
per["cluster"] = final.labels_

# --- profiles and outputs ----------------------------------------------------------------------
revenue = per["monetary_milli"].sum()
profiles = per.groupby("cluster").agg(
    size=("frequency", "size"),
    revenue_milli=("monetary_milli", "sum"),
    median_recency=("recency_days", "median"),
    median_frequency=("frequency", "median"),
    median_monetary=("monetary", "median"),
)
profiles["revenue_share"] = profiles["revenue_milli"] / revenue
centroids_raw = np.expm1(scaler.inverse_transform(final.cluster_centers_))

os.makedirs(args.out, exist_ok=True)
per[["recency_days", "frequency", "monetary", "r", "f", "m", "cluster"]].rename_axis("customer_id").to_csv(os.path.join(args.out, "customers.csv"))
report = {
    "rowsRead": rows_read,
    "customers": n,
    "asOf": as_of.isoformat(),
    "cutPoints": {name: values.tolist() for name, values in cuts.items()},
    "silhouetteSampleSize": sample_size,
    "sweep": sweep,
    "chosenK": chosen_k,
    "inertia": float(final.inertia_),
    "centroidsScaled": final.cluster_centers_.tolist(),
    "centroidsRaw": centroids_raw.tolist(),
    "profiles": json.loads(profiles.reset_index().to_json(orient="records")),
}
with open(os.path.join(args.out, "report.json"), "w") as f:
    json.dump(report, f, indent=1)
print(f"{rows_read} rows, {n} customers, k = {chosen_k} (sweep {args.k_min}..{k_max}, n_init={args.restarts})")
