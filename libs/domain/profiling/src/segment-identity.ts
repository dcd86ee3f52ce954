import type { ClusterSummary, SegmentName } from './segment-names';

type Centroid = ClusterSummary['centroid'];

/** A segment of the previous model version, as the next version may inherit it. */
export interface PreviousSegment {
  /** Stable identity of the segment across model versions. */
  readonly key: string;
  readonly name: string;
  readonly centroid: Centroid;
}

/** A segment of a new model version with its identity and name settled. */
export interface SegmentIdentity {
  readonly cluster: number;
  readonly key: string;
  readonly name: string;
  /** The previous segment it continues, or null for a new segment. */
  readonly inheritedFrom: string | null;
  /** Distance to the matched previous centroid (log space), or null. */
  readonly distance: number | null;
}

/**
 * Largest centroid move (Euclidean distance between log1p(recency days, orders, spend)) that still
 * counts as "the same segment". 0.25 is about a 28% change of one metric, or 15% of all three.
 */
export const MAX_IDENTITY_DISTANCE = 0.25;

const logPoint = (c: Centroid): [number, number, number] => [Math.log1p(Math.max(0, c.recencyDays)), Math.log1p(Math.max(0, c.frequency)), Math.log1p(Math.max(0, c.monetary))];

/** Distance between two centroids on a log scale, so that a move is judged relative to its size. */
export function centroidDistance(a: Centroid, b: Centroid): number {
  const p = logPoint(a);
  const q = logPoint(b);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/**
 * Keeps segments stable across retrains. Old and new centroids are matched greedily, closest pair
 * first (each used once; ties by old key, then new cluster number); a pair closer than
 * `maxDistance` makes the new cluster continue the old segment: same key, same name. Other
 * clusters are new segments, keyed `newKey(cluster)`, and keep their computed name unless an
 * inherited name took it, in which case they take the first computed name that is still free.
 * Names stay unique within the model.
 */
export function settleSegmentIdentities(
  previous: readonly PreviousSegment[],
  clusters: readonly ClusterSummary[],
  names: readonly SegmentName[],
  newKey: (cluster: number) => string,
  maxDistance = MAX_IDENTITY_DISTANCE,
): SegmentIdentity[] {
  const pairs: { old: PreviousSegment; cluster: number; distance: number }[] = [];
  for (const old of previous) for (const c of clusters) pairs.push({ old, cluster: c.cluster, distance: centroidDistance(old.centroid, c.centroid) });
  pairs.sort((a, b) => a.distance - b.distance || (a.old.key < b.old.key ? -1 : a.old.key > b.old.key ? 1 : 0) || a.cluster - b.cluster);

  const matched = new Map<number, { old: PreviousSegment; distance: number }>();
  const usedOld = new Set<string>();
  for (const pair of pairs) {
    if (pair.distance > maxDistance) break;
    if (matched.has(pair.cluster) || usedOld.has(pair.old.key)) continue;
    matched.set(pair.cluster, { old: pair.old, distance: pair.distance });
    usedOld.add(pair.old.key);
  }

  const computed = new Map(names.map((n) => [n.cluster, n.name]));
  const taken = new Set([...matched.values()].map((m) => m.old.name));
  const spare = names.map((n) => n.name).filter((name) => !taken.has(name));
  return clusters.map((c) => {
    const match = matched.get(c.cluster);
    if (match) return { cluster: c.cluster, key: match.old.key, name: match.old.name, inheritedFrom: match.old.key, distance: match.distance };
    const own = computed.get(c.cluster);
    if (own === undefined) throw new RangeError(`cluster ${c.cluster} has no computed name`);
    const name = taken.has(own) ? spare.find((candidate) => !taken.has(candidate)) : own;
    if (name === undefined) throw new Error('no free segment name left; names must outnumber clusters');
    taken.add(name);
    return { cluster: c.cluster, key: newKey(c.cluster), name, inheritedFrom: null, distance: null };
  });
}
