import { GraphQLError } from 'graphql';
import type { RfmSnapshot } from '@seg/domain-rfm';
import type { GraphQLResolverMap, SubgraphContext } from '@seg/platform-subgraph';
import {
  EMPTY_PAGE,
  indexSnapshot,
  parseCustomerQuery,
  queryCustomers,
  type CustomerIndex,
  type CustomerPage,
  type CustomerQuery,
  type CustomerQueryArgs,
} from '../../application/customer-queries';

/** A cluster of one model version: what a segment filter resolves to. */
interface SegmentRef {
  readonly modelVersion: number;
  readonly cluster: number;
}

export interface CustomerQueryDependencies {
  /** The scored read model (a SnapshotCache over the customer directory). */
  readonly snapshots: { get(): Promise<RfmSnapshot> };
  /** Ids of the customers assigned to a cluster of a model version. */
  readonly segmentMembers: (modelVersion: number, cluster: number) => Promise<readonly string[]>;
  /** The latest model's segments, to resolve a Segment.id in a filter. */
  readonly latestSegments: () => Promise<readonly (SegmentRef & { readonly key: string })[]>;
}

function badUserInput(field: readonly string[], message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: [...field] } });
}

function parsedOrThrow(args: CustomerQueryArgs): CustomerQuery {
  const parsed = parseCustomerQuery(args);
  if (!parsed.ok) throw badUserInput(parsed.error.field, parsed.error.message);
  return parsed.value;
}

function toConnection(page: CustomerPage) {
  const edges = page.customers.map(({ cursor, customer }) => ({ cursor, node: { id: customer.id } }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: page.totalCount,
  };
}

/** `Query.customers` and `Segment.customers`: paginated lists over the customer directory. */
export function customerQueryResolvers(deps: CustomerQueryDependencies): GraphQLResolverMap<SubgraphContext> {
  // The index (the customers sorted per order field) lives as long as its snapshot.
  let indexed: { snapshot: RfmSnapshot; index: CustomerIndex } | undefined;
  const currentIndex = async (): Promise<CustomerIndex> => {
    const snapshot = await deps.snapshots.get();
    if (indexed?.snapshot !== snapshot) indexed = { snapshot, index: indexSnapshot(snapshot) };
    return indexed.index;
  };
  const page = async (query: CustomerQuery, segment: SegmentRef | null) => {
    const [index, members] = await Promise.all([currentIndex(), segment ? deps.segmentMembers(segment.modelVersion, segment.cluster) : null]);
    return toConnection(queryCustomers(index, query, members ? new Set(members) : null));
  };

  return {
    Query: {
      customers: async (_: unknown, args: CustomerQueryArgs) => {
        const query = parsedOrThrow(args);
        if (query.filter.segment === null) return page(query, null);
        // A segment id that is not one of the latest model's matches nobody; it is not an error.
        const segment = (await deps.latestSegments()).find((s) => s.key === query.filter.segment);
        return segment ? page(query, segment) : toConnection(EMPTY_PAGE);
      },
    },
    Segment: {
      customers: async (segment: SegmentRef, args: Omit<CustomerQueryArgs, 'filter'> & { search?: string | null }) => {
        const { search, ...rest } = args;
        return page(parsedOrThrow({ ...rest, filter: { search } }), segment);
      },
    },
  };
}
