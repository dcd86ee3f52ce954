/** The feature sets k-means can cluster on; `rfm` is product.md's default. */
export const FEATURE_SETS = {
  rfm: ['recency_days', 'frequency', 'monetary'],
  'rfm+return_rate+tenure': ['recency_days', 'frequency', 'monetary', 'return_rate', 'tenure_days'],
} as const satisfies Record<string, readonly string[]>;

export type FeatureSet = keyof typeof FEATURE_SETS;
export type FeatureName = (typeof FEATURE_SETS)['rfm+return_rate+tenure'][number];

export const FEATURE_SET_NAMES = Object.keys(FEATURE_SETS) as FeatureSet[];

/** A customer's raw feature values, in the units of customers.csv. */
export type FeatureValues = Readonly<Record<FeatureName, number>>;

/** The raw values of a feature set, in its order (log1p and scaling come later, in the scaler). */
export function featureRow(values: FeatureValues, set: FeatureSet): number[] {
  return FEATURE_SETS[set].map((name) => values[name]);
}
