import { err, formatMoneyGrouped, ok, type Result } from '@seg/domain-transactions';
import {
  type RfmCutPoints,
  type RfmSegmentName,
  RFM_SEGMENTS,
  scoreCustomer,
} from '@seg/domain-rfm';
import { invalid, type InputProblem } from './input-problems';

/** One cluster of a model, in the units people read (days, orders, currency). */
export interface ClusterSummary {
  readonly cluster: number;
  readonly size: number;
  readonly revenueMilli: number;
  /** The cluster's centroid in original units. */
  readonly centroid: { readonly recencyDays: number; readonly frequency: number; readonly monetary: number };
  readonly medians?: { recencyDays: number; frequency: number; monetary: number };
}

/** The scored population a model was trained on. */
export interface PopulationSummary {
  readonly customers: number;
  readonly revenueMilli: number;
  readonly medians: { readonly recencyDays: number; readonly frequency: number; readonly monetary: number };
  readonly cutPoints: RfmCutPoints;
}

/** A cluster's business name with the reasons for it. */
export interface SegmentName {
  readonly cluster: number;
  /** Unique within a model. */
  readonly name: string;
  readonly rfmSegment: RfmSegmentName;
  readonly description: string;
  readonly reasons: readonly string[];
}

/** One line per named segment, for people choosing a campaign. */
export const SEGMENT_DESCRIPTIONS: Readonly<Record<RfmSegmentName, string>> = {
  Champions: 'Bought recently, buy often and spend the most.',
  Loyal: 'Buy regularly and spend well; responsive to rewards.',
  'Potential Loyalist': 'Recent customers with a few orders who could become loyal.',
  'New Customers': 'Bought very recently for the first times; not frequent yet.',
  Promising: 'Recent buyers with few orders but a good spend.',
  'Need Attention': 'Above-average recency, frequency and spend, but starting to slip.',
  'About To Sleep': 'Below-average recency and frequency; lost without a reactivation.',
  'At Risk': 'Used to buy often and spend well, but not for a long time.',
  'Cannot Lose Them': 'Made the biggest and most frequent purchases, but long ago.',
  Hibernating: 'Last order long ago, few orders and a low spend.',
  Lost: 'Lowest recency, frequency and spend.',
};

interface Candidate {
  readonly cluster: ClusterSummary;
  readonly segmentIndex: number;
  readonly distance: number;
}

function scoreDistance(r: number, f: number, m: number, code: string): number {
  const dr = r - Number(code[0]);
  const df = f - Number(code[1]);
  const dm = m - Number(code[2]);
  return Math.sqrt(dr * dr + df * df + dm * dm);
}

/** Whole days, with the unit in the singular for one ("1 day", "12 days"). */
function days(value: number): string {
  const text = number(value, 0);
  return `${text} ${text === '1' ? 'day' : 'days'}`;
}

function number(value: number, decimals: number): string {
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function money(units: number): string {
  return formatMoneyGrouped(Math.round(units * 1000));
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${(Math.round((part / whole) * 1000) / 10).toFixed(1)}%`;
}

/**
 * How far (in R,F,M score steps) a cluster may be moved to a free segment when its own is taken:
 * one step still describes it fairly; further, a qualified name of its own segment is more honest.
 */
export const MAX_NEIGHBOUR_DISTANCE = 1;

const METRIC_WORDS = {
  recencyDays: ['more recent', 'less recent'],
  frequency: ['more orders', 'fewer orders'],
  monetary: ['higher spend', 'lower spend'],
} as const;

/** The metric on which `a` differs most from `b` (on a log scale), in words; undefined when they are equal. */
function qualifier(a: ClusterSummary['centroid'], b: ClusterSummary['centroid']): string | undefined {
  let best: string | undefined;
  let bestGap = 0;
  for (const metric of ['recencyDays', 'frequency', 'monetary'] as const) {
    const gap = Math.log1p(Math.max(a[metric], 0)) - Math.log1p(Math.max(b[metric], 0));
    if (Math.abs(gap) > bestGap + 1e-12) {
      bestGap = Math.abs(gap);
      const [up, down] = METRIC_WORDS[metric];
      // fewer days since the last order is "more recent"
      best = metric === 'recencyDays' ? (gap < 0 ? up : down) : gap > 0 ? up : down;
    }
  }
  return best;
}

/**
 * Names each cluster from where its centroid lies: the centroid's R, F and M are scored with the
 * population's cut-points and the code gives a named RFM segment. No name is used twice: when
 * clusters share a segment, the one with more revenue keeps it (then more customers, then the
 * lower number); the others move to the nearest free segment at most {@link MAX_NEIGHBOUR_DISTANCE}
 * score step away (ties: table order), or else keep their segment with a qualifier saying how they
 * differ from the cluster holding the plain name ('At Risk (lower spend)'), numbered if needed.
 */
export function nameClusters(clusters: readonly ClusterSummary[], population: PopulationSummary): SegmentName[] {
  const scores = new Map(clusters.map((c) => [c.cluster, scoreCustomer(c.centroid, population.cutPoints)] as const));
  const candidates: Candidate[] = [];
  for (const cluster of clusters) {
    const s = scores.get(cluster.cluster)!;
    RFM_SEGMENTS.forEach((segment, segmentIndex) => {
      const distance = Math.min(...segment.codes.map((code) => scoreDistance(s.r, s.f, s.m, code)));
      if (distance <= MAX_NEIGHBOUR_DISTANCE) candidates.push({ cluster, segmentIndex, distance });
    });
  }
  candidates.sort(
    (a, b) =>
      a.distance - b.distance ||
      b.cluster.revenueMilli - a.cluster.revenueMilli ||
      b.cluster.size - a.cluster.size ||
      a.cluster.cluster - b.cluster.cluster ||
      a.segmentIndex - b.segmentIndex,
  );
  const chosen = new Map<number, Candidate>();
  const takenBy = new Map<number, ClusterSummary>();
  for (const candidate of candidates) {
    if (chosen.has(candidate.cluster.cluster) || takenBy.has(candidate.segmentIndex)) continue;
    chosen.set(candidate.cluster.cluster, candidate);
    takenBy.set(candidate.segmentIndex, candidate.cluster);
  }

  const used = new Set<string>();
  const names = new Map<number, string>();
  for (const [clusterId, pick] of chosen) {
    const name = RFM_SEGMENTS[pick.segmentIndex]!.name;
    names.set(clusterId, name);
    used.add(name);
  }
  // Clusters left without a free segment nearby, most revenue first so that qualifiers are stable.
  const rest = clusters
    .filter((c) => !chosen.has(c.cluster))
    .sort((a, b) => b.revenueMilli - a.revenueMilli || b.size - a.size || a.cluster - b.cluster);
  for (const cluster of rest) {
    const segment = scores.get(cluster.cluster)!.segment;
    const holder = takenBy.get(RFM_SEGMENTS.findIndex((s) => s.name === segment))!;
    const words = qualifier(cluster.centroid, holder.centroid);
    let name = words === undefined ? segment : `${segment} (${words})`;
    for (let n = 2; used.has(name); n++) name = `${words === undefined ? segment : `${segment} (${words})`} ${n}`;
    used.add(name);
    names.set(cluster.cluster, name);
  }

  const med = population.medians;
  return clusters.map((cluster) => {
    const score = scores.get(cluster.cluster)!;
    const pick = chosen.get(cluster.cluster);
    const segment = pick === undefined ? score.segment : RFM_SEGMENTS[pick.segmentIndex]!.name;
    const c = cluster.centroid;
    const reasons = [
      `last order ${days(c.recencyDays)} ago vs a median of ${number(med.recencyDays, 0)}`,
      `${number(c.frequency, 1)} orders vs a median of ${number(med.frequency, 1)}`,
      `spends ${money(c.monetary)} vs ${money(med.monetary)}`,
      `scores R${score.r} F${score.f} M${score.m} (${score.code}) against the population's cut-points: ${score.segment}`,
    ];
    const holder = takenBy.get(RFM_SEGMENTS.findIndex((s) => s.name === score.segment));
    if (holder !== undefined && holder.cluster !== cluster.cluster) {
      // The holder also scores in this segment and won the tie-break.
      const why =
        holder.revenueMilli > cluster.revenueMilli
          ? 'brings more revenue'
          : holder.size > cluster.size
            ? 'has more customers'
            : 'has the lower number';
      reasons.push(
        pick === undefined
          ? `cluster ${holder.cluster} also scores ${score.segment} and ${why}; no free segment is within ` +
              `${MAX_NEIGHBOUR_DISTANCE} score step, so the name is qualified`
          : `cluster ${holder.cluster} also scores ${score.segment} and ${why}, so this cluster takes the nearest free ` +
              `segment, ${segment} (${number(pick.distance, 2)} score step away)`,
      );
    }
    reasons.push(
      `${cluster.size} customers (${percent(cluster.size, population.customers)}) bring ${percent(cluster.revenueMilli, population.revenueMilli)} of revenue`,
    );
    return {
      cluster: cluster.cluster,
      name: names.get(cluster.cluster)!,
      rfmSegment: segment,
      description: SEGMENT_DESCRIPTIONS[segment],
      reasons,
    };
  });
}

/** Longest segment name (the column holding names is VARCHAR(64)). */
export const MAX_SEGMENT_NAME_LENGTH = 64;

/** Names compare as people read them (and as the database collates them): trimmed, ignoring case. */
export function sameSegmentName(a: string, b: string): boolean {
  return a.trim().localeCompare(b.trim(), 'en', { sensitivity: 'accent' }) === 0;
}

/** A name a person entered, trimmed: 1..{@link MAX_SEGMENT_NAME_LENGTH} characters, no control characters. */
export function validateSegmentName(text: string): Result<string, InputProblem> {
  const name = text.trim();
  if (name.length === 0) return err(invalid(['name'], 'the name must not be empty'));
  if (name.length > MAX_SEGMENT_NAME_LENGTH) return err(invalid(['name'], `the name must be at most ${MAX_SEGMENT_NAME_LENGTH} characters, got ${name.length}`));
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return err(invalid(['name'], 'the name must not contain control characters (line breaks, tabs)'));
  return ok(name);
}

/** A segment of one model with the name profiling computed for it. */
export interface ComputedSegmentName {
  /** The segment's stable key (GraphQL Segment.id). */
  readonly key: string;
  readonly name: string;
}

/** The name a segment is shown with, and whether marketing chose it. */
export interface DisplayedSegmentName {
  readonly name: string;
  readonly overridden: boolean;
}

/**
 * The names the segments of one model are shown with: marketing's name (keyed by segment key)
 * over the computed one. Names stay unique within the model: renames are refused when a name is
 * taken, but a retrain can compute a name marketing gave another segment; then the chosen name
 * wins and the computed one is numbered ('Loyal 2'). Between two chosen names (which only
 * happens with overrides from before a retrain), the first segment in the list keeps it.
 */
export function displayedSegmentNames(segments: readonly ComputedSegmentName[], overrides: ReadonlyMap<string, string>): Map<string, DisplayedSegmentName> {
  const used: string[] = [];
  const isUsed = (name: string) => used.some((u) => sameSegmentName(u, name));
  const claim = (wanted: string): string => {
    let name = wanted;
    for (let n = 2; isUsed(name); n++) name = `${wanted} ${n}`;
    used.push(name);
    return name;
  };
  // Chosen names are claimed first, so that they keep their exact spelling.
  const chosen = new Map<string, string>();
  for (const s of segments) {
    const name = overrides.get(s.key);
    if (name !== undefined) chosen.set(s.key, claim(name));
  }
  return new Map(
    segments.map((s) => {
      const name = chosen.get(s.key);
      return [s.key, name === undefined ? { name: claim(s.name), overridden: false } : { name, overridden: true }];
    }),
  );
}

/**
 * Decides a rename of segment `key` within its model: the name must be valid and not shown by
 * another segment of the model (NAME_TAKEN). Returns the name to store as the override, or null
 * when the new name is the computed one (the override is then cleared and the segment follows
 * profiling's name again).
 */
export function decideRename(
  segments: readonly ComputedSegmentName[],
  overrides: ReadonlyMap<string, string>,
  key: string,
  requested: string,
): Result<string | null, InputProblem> {
  const target = segments.find((s) => s.key === key);
  if (target === undefined) return err({ field: ['id'], code: 'NOT_FOUND', message: `no segment "${key}"` });
  const valid = validateSegmentName(requested);
  if (!valid.ok) return valid;
  const shown = displayedSegmentNames(segments, overrides);
  const holder = segments.find((s) => s.key !== key && sameSegmentName(shown.get(s.key)?.name ?? s.name, valid.value));
  if (holder !== undefined) return err({ field: ['name'], code: 'NAME_TAKEN', message: `segment "${holder.key}" of the same model is already called "${shown.get(holder.key)?.name}"` });
  return ok(valid.value === target.name ? null : valid.value);
}
