import { couponForSegment, type CouponRule } from '@seg/domain-profiling';
import type { RfmSegmentName } from '@seg/domain-rfm';
import type { GraphQLResolverMap, SubgraphContext } from '@seg/platform-subgraph';
import type { ProfilingRepository, SegmentRecord } from '../persistence/profiling.repository';
import type { MarketingRepository } from '../persistence/marketing.repository';
import { customerQueryResolvers, type CustomerQueryDependencies } from './customer-queries.resolvers';
import { marketingResolvers } from './marketing.resolvers';
import type { ReadCache } from '../../application/read-cache';

export function profilingResolvers(
  repository: ProfilingRepository,
  holdoutShare: number,
  customerQueries: CustomerQueryDependencies,
  marketing: MarketingRepository,
  cache: ReadCache,
): GraphQLResolverMap<SubgraphContext> {
  const latest = () => Promise.all([cache.get('latestSegments', () => repository.latestSegments()), cache.get('couponRules', () => repository.couponRules())]);
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
  return mergeResolvers(customerQueryResolvers(customerQueries), marketingResolvers({ marketing, profiling: repository, holdoutShare, segmentFields, cache }), {
    Query: {
      segments: async () => {
        const [segments, rules] = await latest();
        return segments.map((s) => segmentFields(s, rules));
      },
      segment: async (_: unknown, { id }: { id: string }) => {
        const [segments, rules] = await latest();
        const segment = segments.find((s) => s.key === id);
        return segment ? segmentFields(segment, rules) : null;
      },
    },
    Customer: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    },
  });
}

/** Combines resolver maps type by type (a field defined twice is a mistake and throws). */
function mergeResolvers(...maps: GraphQLResolverMap<SubgraphContext>[]): GraphQLResolverMap<SubgraphContext> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      const target = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields as Record<string, unknown>)) {
        if (field in target) throw new Error(`resolver ${type}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged as GraphQLResolverMap<SubgraphContext>;
}
