/** How features are put on a common scale before k-means. */
export type ScalingMethod = 'zscore' | 'minmax' | 'robust';

export interface FeatureOptions {
  /** Default 'zscore' (population standard deviation, as scikit-learn's StandardScaler). */
  readonly scaling?: ScalingMethod;
  /** Default true: log1p first, which tames the long tails of frequency and monetary. */
  readonly logTransform?: boolean;
}

/** A fitted scaler, JSON-serialisable so that new customers can be placed in a stored model. */
export interface FittedScaler {
  readonly method: ScalingMethod;
  readonly logTransform: boolean;
  readonly features: readonly string[];
  /** Per feature: subtracted after the log (mean, minimum or median). */
  readonly center: readonly number[];
  /** Per feature: divided by after centring (standard deviation, range or IQR; 1 when that is 0). */
  readonly scale: readonly number[];
}

function checkWidth(row: readonly number[], width: number): void {
  if (row.length !== width) throw new RangeError(`expected ${width} features, got ${row.length}`);
}

function quantileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const below = Math.floor(h);
  const above = Math.min(below + 1, sorted.length - 1);
  const a = sorted[below]!;
  const b = sorted[above]!;
  const t = h - below;
  // numpy's interpolation, so that 'robust' matches scikit-learn's RobustScaler.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/**
 * Fits a scaler to rows of raw feature values. 'zscore' = (x - mean) / population std,
 * 'minmax' = (x - min) / (max - min), 'robust' = (x - median) / (q75 - q25), all after log1p
 * unless logTransform is false. A constant feature gets scale 1, as in scikit-learn.
 */
export function fitScaler(
  rows: readonly (readonly number[])[],
  features: readonly string[],
  options: FeatureOptions = {},
): FittedScaler {
  const method = options.scaling ?? 'zscore';
  const logTransform = options.logTransform ?? true;
  const width = features.length;
  const n = rows.length;
  if (n === 0) throw new RangeError('fitScaler needs at least one row');
  const center: number[] = [];
  const scale: number[] = [];
  const column = new Float64Array(n);
  for (let j = 0; j < width; j++) {
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      if (j === 0) checkWidth(row, width);
      const raw = row[j]!;
      column[i] = logTransform ? Math.log1p(raw) : raw;
      if (!Number.isFinite(column[i]!)) throw new RangeError(`feature "${features[j]}" of row ${i} is not finite after the transform`);
    }
    let c: number;
    let s: number;
    if (method === 'zscore') {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += column[i]!;
      c = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) squares += (column[i]! - c) ** 2;
      s = Math.sqrt(squares / n);
    } else {
      const sorted = column.slice().sort();
      if (method === 'minmax') {
        c = sorted[0]!;
        s = sorted[n - 1]! - c;
      } else {
        c = quantileSorted(sorted, 0.5);
        s = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
      }
    }
    center.push(c);
    scale.push(s > 0 && Number.isFinite(s) ? s : 1);
  }
  return { method, logTransform, features: [...features], center, scale };
}

/** Raw feature values -> the scaled space the model was fitted in. */
export function transform(scaler: FittedScaler, row: readonly number[]): number[] {
  checkWidth(row, scaler.features.length);
  return row.map((raw, j) => ((scaler.logTransform ? Math.log1p(raw) : raw) - scaler.center[j]!) / scaler.scale[j]!);
}

/** Scaled values (a centroid) -> raw feature units. */
export function inverseTransform(scaler: FittedScaler, row: readonly number[]): number[] {
  checkWidth(row, scaler.features.length);
  return row.map((scaled, j) => {
    const value = scaled * scaler.scale[j]! + scaler.center[j]!;
    return scaler.logTransform ? Math.expm1(value) : value;
  });
}
