import { couponForSegment, isInHoldout, type CouponRule } from '@seg/domain-profiling';
import type { RfmSegmentName } from '@seg/domain-rfm';
import type { GraphQLResolverMap, SubgraphContext } from '@seg/platform-subgraph';
import type { ProfilingRepository, SegmentRecord } from '../persistence/profiling.repository';

/** The campaign every recommendation belongs to until campaigns can be created. */
export const DEFAULT_CAMPAIGN = 'default';

export function profilingResolvers(repository: ProfilingRepository, holdoutShare: number): GraphQLResolverMap<SubgraphContext> {
  const segmentFields = (s: SegmentRecord, rules: readonly CouponRule[]) => ({
    id: s.key,
    modelVersion: s.modelVersion,
    cluster: s.cluster,
    name: s.name,
    rfmSegment: s.rfmSegment,
    description: s.description,
    reasons: s.reasons,
    size: s.size,
    customerShare: s.modelCustomers > 0 ? s.size / s.modelCustomers : 0,
    revenueShare: s.modelRevenueMilli > 0 ? s.revenueMilli / s.modelRevenueMilli : 0,
    typicalRecencyDays: s.medians.recencyDays,
    typicalFrequency: s.medians.frequency,
    typicalMonetary: s.medians.monetary,
    topCountries: s.topCountries,
    coupon: couponForSegment(rules, s.rfmSegment as RfmSegmentName),
  });
  return {
    Query: {
      segments: async () => {
        const [segments, rules] = await Promise.all([repository.latestSegments(), repository.couponRules()]);
        return segments.map((s) => segmentFields(s, rules));
      },
    },
    Customer: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      segment: async (customer: { id: string }) => {
        const segment = await repository.customerSegment(customer.id);
        return segment ? segmentFields(segment, await repository.couponRules()) : null;
      },
      couponRecommendations: async (customer: { id: string }) => {
        const segment = await repository.customerSegment(customer.id);
        if (!segment) return [];
        const coupon = couponForSegment(await repository.couponRules(), segment.rfmSegment as RfmSegmentName);
        return [{ segmentName: segment.name, coupon, holdout: isInHoldout(customer.id, DEFAULT_CAMPAIGN, holdoutShare) }];
      },
    },
  };
}
