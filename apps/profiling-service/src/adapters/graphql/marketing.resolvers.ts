import { randomUUID } from 'node:crypto';
import {
  campaignReach,
  couponForSegment,
  decideRename,
  displayedSegmentNames,
  isoSeconds,
  recommendCoupons,
  underField,
  validateCampaign,
  validateCouponRule,
  validateCouponTerms,
  type CampaignReach,
  type CouponCampaign,
  type CouponCampaignInput,
  type CouponRule,
  type CouponTermsInput,
  type DisplayedSegmentName,
  type InputProblem,
} from '@seg/domain-profiling';
import { RFM_SEGMENT_NAMES, type RfmSegmentName } from '@seg/domain-rfm';
import { requireRole, type GraphQLResolverMap, type SubgraphContext } from '@seg/platform-subgraph';
import type { MarketingRepository, SegmentLocation, SegmentOverride } from '../persistence/marketing.repository';
import type { ProfilingRepository, SegmentRecord } from '../persistence/profiling.repository';
import type { ReadCache } from '../../application/read-cache';

/** The campaign id of the built-in default recommendation's holdout draw. */
export const DEFAULT_CAMPAIGN = 'default';

export interface MarketingDependencies {
  readonly marketing: MarketingRepository;
  readonly profiling: ProfilingRepository;
  /** Holdout share of the built-in default recommendation. */
  readonly holdoutShare: number;
  /** A stored segment as the GraphQL Segment (with its computed name and default coupon; overrides apply field by field). */
  readonly segmentFields: (segment: SegmentRecord, rules: readonly CouponRule[]) => object;
  /** What every request reads and few write, shared by the requests of this process. */
  readonly cache: ReadCache;
  readonly now?: () => Date;
  readonly newCampaignId?: () => string;
}

/** The Segment fields the marketing resolvers read from their parent (set by segmentFields). */
interface SegmentParent {
  readonly id: string;
  readonly modelVersion: number;
  readonly name: string;
  readonly rfmSegment: string;
  readonly coupon: CouponRule;
}

const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
};

/**
 * What one request reads of the marketing tables, loaded at most once per request (a segment list
 * asks for overrides once, not once per segment). A mutation resets it after writing, so that its
 * payload and later mutations of the same request read what it wrote.
 */
class RequestView {
  overrides!: () => Promise<Map<string, SegmentOverride>>;
  rules!: () => Promise<CouponRule[]>;
  campaigns!: () => Promise<CouponCampaign[]>;
  customersBySegment!: () => Promise<Map<string, string[]>>;
  private customers = new Map<string, Promise<SegmentRecord | null>>();
  private names = new Map<number, Promise<Map<string, DisplayedSegmentName>>>();
  private reaches = new Map<string, Promise<CampaignReach>>();

  constructor(private readonly deps: MarketingDependencies) {
    this.reset();
  }

  reset(): void {
    const { cache, marketing, profiling } = this.deps;
    this.overrides = once(() => cache.get('overrides', () => marketing.overrides()));
    this.rules = once(() => cache.get('couponRules', () => profiling.couponRules()));
    this.campaigns = once(() => cache.get('campaigns', () => marketing.campaigns()));
    this.customersBySegment = once(() => marketing.latestCustomersBySegment());
    this.customers = new Map();
    this.names = new Map();
    this.reaches = new Map();
  }

  /** The customer's segment, read once per request (its segment and its recommendations both need it). */
  customerSegment(customerId: string): Promise<SegmentRecord | null> {
    let segment = this.customers.get(customerId);
    if (!segment) {
      segment = this.deps.profiling.customerSegment(customerId);
      this.customers.set(customerId, segment);
    }
    return segment;
  }

  /** The names the segments of a model version are shown with. */
  displayedNames(modelVersion: number): Promise<Map<string, DisplayedSegmentName>> {
    let names = this.names.get(modelVersion);
    if (!names) {
      const { cache, marketing } = this.deps;
      const computed = cache.get(`modelSegmentNames:${modelVersion}`, () => marketing.modelSegmentNames(modelVersion));
      names = Promise.all([computed, this.overrides()]).then(([segments, overrides]) =>
        displayedSegmentNames(segments, chosenNames(overrides)),
      );
      this.names.set(modelVersion, names);
    }
    return names;
  }

  async couponOf(segment: { readonly key: string; readonly rfmSegment: string }): Promise<CouponRule> {
    const [rules, overrides] = await Promise.all([this.rules(), this.overrides()]);
    return couponForSegment(rules, segment.rfmSegment as RfmSegmentName, overrides.get(segment.key)?.coupon);
  }

  reach(campaign: CouponCampaign): Promise<CampaignReach> {
    let reach = this.reaches.get(campaign.id);
    if (!reach) {
      reach = this.customersBySegment().then((bySegment) => campaignReach(campaign, bySegment));
      this.reaches.set(campaign.id, reach);
    }
    return reach;
  }
}

function chosenNames(overrides: ReadonlyMap<string, SegmentOverride>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [key, o] of overrides) if (o.name !== null) names.set(key, o.name);
  return names;
}

const userErrors = (problems: readonly InputProblem[]) => problems.map((p) => ({ field: [...p.field], code: p.code, message: p.message }));
const notFound = (id: string): InputProblem => ({ field: ['id'], code: 'NOT_FOUND', message: `no segment "${id}"` });

/**
 * Marketing's side of the profiling subgraph: renames and coupon overrides of segments, the
 * default coupon strategy, coupon campaigns, and each customer's recommendations under them.
 * Mutations need the marketer role (admin passes too); expected failures are userErrors.
 */
export function marketingResolvers(deps: MarketingDependencies): GraphQLResolverMap<SubgraphContext> {
  const now = deps.now ?? (() => new Date());
  const newCampaignId = deps.newCampaignId ?? randomUUID;
  // Keyed by the request's context object, which Apollo passes to every resolver of the request.
  const views = new WeakMap<SubgraphContext, RequestView>();
  const viewOf = (context: SubgraphContext): RequestView => {
    let view = views.get(context);
    if (!view) {
      view = new RequestView(deps);
      views.set(context, view);
    }
    return view;
  };

  /** After a write: this process reads it at once, this request too. */
  const written = (context: SubgraphContext) => {
    deps.cache.invalidate();
    viewOf(context).reset();
  };

  const segmentPayload = async (context: SubgraphContext, outcome: { ok: true; value: SegmentLocation } | { ok: false; error: InputProblem } | null, id: string) => {
    written(context);
    if (outcome === null) return { segment: null, userErrors: userErrors([notFound(id)]) };
    if (!outcome.ok) return { segment: null, userErrors: userErrors([outcome.error]) };
    const [record, rules] = await Promise.all([deps.profiling.segment(outcome.value.modelVersion, outcome.value.cluster), deps.profiling.couponRules()]);
    return { segment: record ? deps.segmentFields(record, rules) : null, userErrors: [] };
  };

  return {
    Query: {
      couponCampaigns: (_: unknown, __: unknown, context: SubgraphContext) => viewOf(context).campaigns(),
      couponRules: async (_: unknown, __: unknown, context: SubgraphContext) => {
        const rules = await viewOf(context).rules();
        return RFM_SEGMENT_NAMES.map((segment) => couponForSegment(rules, segment));
      },
    },
    Mutation: {
      renameSegment: async (_: unknown, args: { id: string; name: string }, context: SubgraphContext) => {
        requireRole(context, 'marketer');
        const outcome = await deps.marketing.changeOverride(args.id, context.role, ({ target, segments, overrides }) => {
          const decided = decideRename(segments, chosenNames(overrides), target.key, args.name);
          return decided.ok ? { ok: true, value: { name: decided.value, coupon: overrides.get(target.key)?.coupon ?? null } } : decided;
        });
        return segmentPayload(context, outcome, args.id);
      },
      setSegmentCouponRule: async (_: unknown, args: { id: string; rule: CouponTermsInput }, context: SubgraphContext) => {
        requireRole(context, 'marketer');
        const terms = validateCouponTerms(args.rule);
        if (!terms.ok) {
          const known = (await deps.marketing.locateSegment(args.id)) !== null;
          return { segment: null, userErrors: userErrors([...(known ? [] : [notFound(args.id)]), ...underField(['rule'], terms.error)]) };
        }
        const outcome = await deps.marketing.changeOverride<InputProblem>(args.id, context.role, ({ target, overrides }) => ({
          ok: true,
          value: { name: overrides.get(target.key)?.name ?? null, coupon: terms.value },
        }));
        return segmentPayload(context, outcome, args.id);
      },
      resetSegmentCouponRule: async (_: unknown, args: { id: string }, context: SubgraphContext) => {
        requireRole(context, 'marketer');
        const outcome = await deps.marketing.changeOverride<InputProblem>(args.id, context.role, ({ target, overrides }) => ({
          ok: true,
          value: { name: overrides.get(target.key)?.name ?? null, coupon: null },
        }));
        return segmentPayload(context, outcome, args.id);
      },
      setCouponRule: async (_: unknown, args: { rfmSegment: string; rule: CouponTermsInput }, context: SubgraphContext) => {
        requireRole(context, 'marketer');
        const rule = validateCouponRule(args.rfmSegment, args.rule);
        if (!rule.ok) return { rule: null, userErrors: userErrors(rule.error) };
        await deps.marketing.setCouponRule(rule.value);
        written(context);
        return { rule: rule.value, userErrors: [] };
      },
      createCouponCampaign: async (_: unknown, args: { input: CouponCampaignInput }, context: SubgraphContext) => {
        requireRole(context, 'marketer');
        const at = now();
        const draft = validateCampaign(args.input, await deps.marketing.latestSegmentKeys(), at);
        if (!draft.ok) return { campaign: null, userErrors: userErrors(underField(['input'], draft.error)) };
        const campaign: CouponCampaign = { id: newCampaignId(), ...draft.value, createdAt: isoSeconds(at.getTime()), createdBy: context.role };
        await deps.marketing.createCampaign(campaign);
        written(context);
        return { campaign, userErrors: [] };
      },
    },
    Segment: {
      name: async (segment: SegmentParent, _: unknown, context: SubgraphContext) => (await viewOf(context).displayedNames(segment.modelVersion)).get(segment.id)?.name ?? segment.name,
      nameOverridden: async (segment: SegmentParent, _: unknown, context: SubgraphContext) => (await viewOf(context).displayedNames(segment.modelVersion)).get(segment.id)?.overridden ?? false,
      coupon: (segment: SegmentParent, _: unknown, context: SubgraphContext) => viewOf(context).couponOf({ key: segment.id, rfmSegment: segment.rfmSegment }),
      couponOverridden: async (segment: SegmentParent, _: unknown, context: SubgraphContext) => ((await viewOf(context).overrides()).get(segment.id)?.coupon ?? null) !== null,
    },
    CouponCampaign: {
      targetedCustomers: async (campaign: CouponCampaign, _: unknown, context: SubgraphContext) => (await viewOf(context).reach(campaign)).targeted,
      holdoutCustomers: async (campaign: CouponCampaign, _: unknown, context: SubgraphContext) => (await viewOf(context).reach(campaign)).holdout,
    },
    Customer: {
      segment: async (customer: { id: string }, _: unknown, context: SubgraphContext) => {
        const view = viewOf(context);
        const segment = await view.customerSegment(customer.id);
        return segment ? deps.segmentFields(segment, await view.rules()) : null;
      },
      couponRecommendations: async (customer: { id: string }, _: unknown, context: SubgraphContext) => {
        const view = viewOf(context);
        const segment = await view.customerSegment(customer.id);
        if (!segment) return [];
        const [names, coupon, campaigns] = await Promise.all([view.displayedNames(segment.modelVersion), view.couponOf(segment), view.campaigns()]);
        return recommendCoupons(customer.id, { key: segment.key, name: names.get(segment.key)?.name ?? segment.name, coupon }, campaigns, now(), {
          campaignId: DEFAULT_CAMPAIGN,
          share: deps.holdoutShare,
        });
      },
    },
  };
}
