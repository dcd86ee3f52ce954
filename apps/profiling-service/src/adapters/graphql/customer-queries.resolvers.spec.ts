import { GraphQLError } from 'graphql';
import { buildSnapshot, type CustomerMetrics, type RfmSnapshot } from '@seg/domain-rfm';
import { customerQueryResolvers } from './customer-queries.resolvers';

/** A builder: customer n with its own spend, all in one country. */
const metrics = (n: number): CustomerMetrics => ({
  customerId: String(13_000 + n),
  country: 'United Kingdom',
  firstPurchaseAt: '2010-12-01T09:00:00Z',
  lastPurchaseAt: `2011-01-${String(1 + n).padStart(2, '0')}T12:00:00Z`,
  frequency: 1 + (n % 4),
  monetaryMilli: 10_000 * (n + 1),
  cancelledMilli: 0,
});

function setup() {
  const snapshot = buildSnapshot(Array.from({ length: 12 }, (_, n) => metrics(n)));
  let snapshotReads = 0;
  const segmentMembersCalls: [number, number][] = [];
  const resolvers = customerQueryResolvers({
    snapshots: {
      get: async (): Promise<RfmSnapshot> => {
        snapshotReads++;
        return snapshot;
      },
    },
    segmentMembers: async (modelVersion, cluster) => {
      segmentMembersCalls.push([modelVersion, cluster]);
      return modelVersion === 3 && cluster === 1 ? ['13002', '13005', '13007', 'not-in-directory'] : [];
    },
    latestSegments: async () => [
      { key: 'm3-0', modelVersion: 3, cluster: 0 },
      { key: 'm1-4', modelVersion: 3, cluster: 1 },
    ],
  });
  type Resolver = (parent: unknown, args: Record<string, unknown>) => Promise<{ totalCount: number; nodes: { id: string }[]; edges: { cursor: string }[]; pageInfo: Record<string, unknown> }>;
  const fields = resolvers as unknown as { Query: { customers: Resolver }; Segment: { customers: Resolver } };
  return { fields, segmentMembersCalls, reads: () => snapshotReads };
}

async function refusal(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a GraphQLError');
}

describe('customerQueryResolvers', () => {
  it('serves a connection of Customer references with page info and the total', async () => {
    const { fields } = setup();
    const page = await fields.Query.customers(undefined, { first: 5 });
    expect(page.totalCount).toBe(12);
    expect(page.nodes).toEqual(['13000', '13001', '13002', '13003', '13004'].map((id) => ({ id })));
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: page.edges[0]?.cursor, endCursor: page.edges[4]?.cursor });
    const next = await fields.Query.customers(undefined, { first: 250, after: page.pageInfo['endCursor'] });
    expect(next.nodes.map((n) => n.id)).toEqual(['13005', '13006', '13007', '13008', '13009', '13010', '13011']);
    expect(next.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('resolves a segment filter to the latest model\'s cluster of that key, and an unknown key to nobody', async () => {
    const { fields, segmentMembersCalls } = setup();
    const members = await fields.Query.customers(undefined, { filter: { segment: 'm1-4' } });
    expect(members.nodes.map((n) => n.id)).toEqual(['13002', '13005', '13007']); // without the customer not in the directory
    expect(segmentMembersCalls).toEqual([[3, 1]]);
    const unknown = await fields.Query.customers(undefined, { filter: { segment: 'm9-9' } });
    expect(unknown).toEqual({ edges: [], nodes: [], totalCount: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
    expect(segmentMembersCalls).toHaveLength(1);
  });

  it('lists a segment\'s own customers, with search on the id', async () => {
    const { fields } = setup();
    const page = await fields.Segment.customers({ modelVersion: 3, cluster: 1 }, { search: '13005' });
    expect(page.nodes).toEqual([{ id: '13005' }]);
    const all = await fields.Segment.customers({ modelVersion: 3, cluster: 1 }, { orderBy: { field: 'MONETARY', direction: 'DESC' } });
    expect(all.nodes.map((n) => n.id)).toEqual(['13007', '13005', '13002']);
  });

  it('throws BAD_USER_INPUT with the argument\'s path for a bad argument', async () => {
    const { fields } = setup();
    for (const [args, field] of [
      [{ first: 0 }, ['first']],
      [{ first: 251 }, ['first']],
      [{ after: 'garbage' }, ['after']],
      [{ filter: { rfmSegment: 'Best Friends' } }, ['filter', 'rfmSegment']],
      [{ filter: { minMonetary: -1 } }, ['filter', 'minMonetary']],
    ] as const) {
      const error = await refusal(fields.Query.customers(undefined, args));
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    const nested = await refusal(fields.Segment.customers({ modelVersion: 3, cluster: 1 }, { first: 251 }));
    expect(nested.extensions).toEqual({ code: 'BAD_USER_INPUT', field: ['first'] });
  });

  it('reads the snapshot for every request (the cache behind it decides whether to rebuild)', async () => {
    const { fields, reads } = setup();
    await fields.Query.customers(undefined, {});
    await fields.Query.customers(undefined, { orderBy: { field: 'FREQUENCY', direction: 'ASC' } });
    expect(reads()).toBe(2);
  });
});
