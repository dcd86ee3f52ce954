import type { GraphQLResolverMap, SubgraphContext } from '@seg/platform-subgraph';
import { roundMilliToCents } from '@seg/domain-transactions';
import type { SnapshotCache, ScoredCustomer } from '@seg/domain-rfm';

const rfmFields = (c: ScoredCustomer, asOf: string) => ({
  recencyDays: c.values.recencyDays,
  frequency: c.values.frequency,
  monetary: roundMilliToCents(c.metrics.monetaryMilli) / 100,
  returnRate: c.returnRate,
  firstPurchaseAt: c.metrics.firstPurchaseAt,
  lastPurchaseAt: c.metrics.lastPurchaseAt,
  r: c.score.r,
  f: c.score.f,
  m: c.score.m,
  code: c.score.code,
  segment: c.score.segment,
  asOf,
});

export function rfmResolvers(snapshots: SnapshotCache): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      rfmSummary: async () => {
        const s = await snapshots.get();
        return { customers: s.customers.size, asOf: s.asOf, cutPoints: s.cutPoints, segments: s.segmentCounts };
      },
    },
    Customer: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      rfm: async (customer: { id: string }) => {
        const s = await snapshots.get();
        const scored = s.customers.get(customer.id);
        return scored && s.asOf ? rfmFields(scored, s.asOf) : null;
      },
    },
  };
}
