import { err, ok, type Result } from '@seg/domain-transactions';
import type { CouponRule } from './coupon-rules';
import { isInHoldout } from './holdout';
import { invalid, type InputProblem } from './input-problems';

/** A coupon campaign: who it targets, for how long, and the share held out to measure uplift. */
export interface CouponCampaign {
  readonly id: string;
  readonly name: string;
  /** Segment keys (GraphQL Segment.id) it targets; empty: every segment. */
  readonly segmentIds: readonly string[];
  /** Share of the targeted customers held out as a control group, 0..{@link MAX_CAMPAIGN_HOLDOUT_SHARE}. */
  readonly holdoutShare: number;
  /** ISO instants to the second ('2011-12-01T00:00:00Z'); no end: open-ended. */
  readonly startsAt: string;
  readonly endsAt: string | null;
  readonly createdAt: string;
  /** The role that created it. */
  readonly createdBy: string;
}

/** A campaign as a person entered it, before validation. */
export interface CouponCampaignInput {
  readonly name: string;
  readonly segmentIds?: readonly string[] | null;
  readonly holdoutShare: number;
  readonly startsAt?: string | null;
  readonly endsAt?: string | null;
}

/** A valid campaign before it is stored (the store gives it its id and creation stamp). */
export type CouponCampaignDraft = Pick<CouponCampaign, 'name' | 'segmentIds' | 'holdoutShare' | 'startsAt' | 'endsAt'>;

export const MAX_CAMPAIGN_NAME_LENGTH = 100;
/** More than half held out would leave the campaign smaller than its control group. */
export const MAX_CAMPAIGN_HOLDOUT_SHARE = 0.5;

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An instant to the second, as campaigns store and show it. */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * An ISO 8601 date ('2011-12-01', midnight UTC) or date-time with a zone ('2011-12-01T09:00:00Z',
 * '2011-12-01T10:00+01:00') as epoch milliseconds; undefined for anything else, including a time
 * without a zone (ambiguous) and impossible dates such as 2011-02-30.
 */
export function parseInstant(text: string): number | undefined {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second] = m;
  // The stores keep DATETIME, which starts at year 1000; nothing a campaign needs predates 1970.
  if (Number(year) < 1970) return undefined;
  const ms = Date.parse(m[4] === undefined ? `${text.trim()}T00:00:00Z` : text.trim());
  if (!Number.isFinite(ms)) return undefined;
  // Date.parse rolls 2011-02-30 over to March; a calendar check in the date's own terms refuses it.
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0)));
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day) || Number(hour ?? 0) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 59) return undefined;
  return ms;
}

/**
 * Checks a new campaign: a name (trimmed, 1..{@link MAX_CAMPAIGN_NAME_LENGTH} characters), segment
 * ids that are all segments of the current model (repeats dropped), a holdout share of
 * 0..{@link MAX_CAMPAIGN_HOLDOUT_SHARE}, a start (default: now) and an optional end after the start.
 * Every problem is reported with its field (segment ids with their position).
 */
export function validateCampaign(input: CouponCampaignInput, knownSegmentIds: ReadonlySet<string>, now: Date): Result<CouponCampaignDraft, InputProblem[]> {
  const problems: InputProblem[] = [];
  const name = input.name.trim();
  if (name.length === 0) problems.push(invalid(['name'], 'the name must not be empty'));
  else if (name.length > MAX_CAMPAIGN_NAME_LENGTH) problems.push(invalid(['name'], `the name must be at most ${MAX_CAMPAIGN_NAME_LENGTH} characters, got ${name.length}`));

  const segmentIds: string[] = [];
  (input.segmentIds ?? []).forEach((id, i) => {
    if (!knownSegmentIds.has(id)) problems.push(invalid(['segmentIds', String(i)], `no segment "${id}" in the current model`));
    else if (!segmentIds.includes(id)) segmentIds.push(id);
  });

  const share = input.holdoutShare;
  if (!(Number.isFinite(share) && share >= 0 && share <= MAX_CAMPAIGN_HOLDOUT_SHARE)) {
    problems.push(invalid(['holdoutShare'], `the holdout share must be between 0 and ${MAX_CAMPAIGN_HOLDOUT_SHARE}, got ${share}`));
  }

  const instant = (field: 'startsAt' | 'endsAt', text: string | null | undefined): number | null | undefined => {
    if (text === null || text === undefined) return null;
    const ms = parseInstant(text);
    if (ms === undefined) problems.push(invalid([field], `"${text}" is not an ISO 8601 date or date-time with a zone (2011-12-01 or 2011-12-01T09:00:00Z)`));
    return ms;
  };
  const startsMs = instant('startsAt', input.startsAt) ?? now.getTime();
  const endsMs = instant('endsAt', input.endsAt);
  const startsAt = isoSeconds(startsMs);
  const endsAt = typeof endsMs === 'number' ? isoSeconds(endsMs) : null;
  if (endsAt !== null && endsAt <= startsAt) problems.push(invalid(['endsAt'], `the campaign must end after it starts (${startsAt}), got ${endsAt}`));

  return problems.length > 0 ? err(problems) : ok({ name, segmentIds, holdoutShare: share, startsAt, endsAt });
}

/** Whether a campaign runs at `now`: from its start (included) to its end (excluded). */
export function isCampaignActive(campaign: Pick<CouponCampaign, 'startsAt' | 'endsAt'>, now: Date): boolean {
  const at = now.getTime();
  return Date.parse(campaign.startsAt) <= at && (campaign.endsAt === null || at < Date.parse(campaign.endsAt));
}

/** Whether a campaign targets customers of the segment with this key (no segment ids: every segment). */
export function campaignTargets(campaign: Pick<CouponCampaign, 'segmentIds'>, segmentKey: string): boolean {
  return campaign.segmentIds.length === 0 || campaign.segmentIds.includes(segmentKey);
}

/** A coupon for one customer: from a campaign, or (campaign null) the built-in default recommendation. */
export interface CouponRecommendation {
  readonly campaign: CouponCampaign | null;
  readonly segmentName: string;
  readonly coupon: CouponRule;
  /** In the control group: the customer gets no coupon, to measure the campaign's uplift. */
  readonly holdout: boolean;
}

/** The built-in recommendation's control group: a campaign id for the holdout draw and its share. */
export interface DefaultHoldout {
  readonly campaignId: string;
  readonly share: number;
}

/**
 * A customer's coupon recommendations: one per campaign running at `now` that targets the
 * customer's segment (earliest start first, then by id), each with the segment's coupon and the
 * customer's holdout draw in that campaign; when none applies, the built-in default
 * recommendation with its own holdout.
 */
export function recommendCoupons(
  customerId: string,
  segment: { readonly key: string; readonly name: string; readonly coupon: CouponRule },
  campaigns: readonly CouponCampaign[],
  now: Date,
  defaultHoldout: DefaultHoldout,
): CouponRecommendation[] {
  const running = campaigns
    .filter((c) => isCampaignActive(c, now) && campaignTargets(c, segment.key))
    .sort((a, b) => (a.startsAt < b.startsAt ? -1 : a.startsAt > b.startsAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (running.length === 0) {
    return [{ campaign: null, segmentName: segment.name, coupon: segment.coupon, holdout: isInHoldout(customerId, defaultHoldout.campaignId, defaultHoldout.share) }];
  }
  return running.map((campaign) => ({ campaign, segmentName: segment.name, coupon: segment.coupon, holdout: isInHoldout(customerId, campaign.id, campaign.holdoutShare) }));
}

/** How many customers a campaign targets and how many of them it holds out. */
export interface CampaignReach {
  readonly targeted: number;
  readonly holdout: number;
}

/**
 * A campaign's reach over the customers of each segment (customer ids by segment key): the
 * customers of the targeted segments, and how many of them fall in its holdout.
 */
export function campaignReach(campaign: Pick<CouponCampaign, 'id' | 'segmentIds' | 'holdoutShare'>, customersBySegment: ReadonlyMap<string, readonly string[]>): CampaignReach {
  let targeted = 0;
  let holdout = 0;
  for (const [key, ids] of customersBySegment) {
    if (!campaignTargets(campaign, key)) continue;
    targeted += ids.length;
    for (const id of ids) if (isInHoldout(id, campaign.id, campaign.holdoutShare)) holdout++;
  }
  return { targeted, holdout };
}
