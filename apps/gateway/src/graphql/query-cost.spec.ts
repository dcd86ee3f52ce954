import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import { buildSchema, Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ASSUMED_LIST_SIZE, operationCost, queryCostLimitPlugin } from './query-cost';
import { fragmentsOf } from './query-depth';
import { DEFAULT_MAX_QUERY_COST } from '../config';
import { CUSTOMERS_PAGE_QUERY } from '../exports/segment-customers-csv';

// The shapes that matter for cost, as in the API: a connection with `first` (default 20), lists
// with `first`, lists without it, a nested list, and an abstract type.
const schema = buildSchema(`
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type CouponRule { offer: String!, discountPercent: Float! }
  type CouponRecommendation { holdout: Boolean!, coupon: CouponRule! }
  type Rfm { recencyDays: Int!, frequency: Int!, monetary: Float!, r: Int!, f: Int!, m: Int!, segment: String! }
  type Segment {
    id: ID!
    name: String!
    reasons: [String!]!
    coupon: CouponRule!
    customers(first: Int = 20, after: String): CustomerConnection!
  }
  type Customer { id: ID!, country: String, rfm: Rfm, segment: Segment, couponRecommendations: [CouponRecommendation!]! }
  type CustomerEdge { cursor: String!, node: Customer! }
  type CustomerConnection { edges: [CustomerEdge!]!, nodes: [Customer!]!, pageInfo: PageInfo!, totalCount: Int! }
  type RejectedRow { lineNumber: Int! }
  type ImportJob { id: ID!, rejectedRows(first: Int = 50): [RejectedRow!]! }
  type Grid { cells: [[Customer]] }
  union SearchResult = Customer | Segment
  type Query {
    segments: [Segment!]!
    segment(id: ID!): Segment
    customer(id: ID!): Customer
    customers(first: Int = 20, after: String): CustomerConnection!
    importJobs(first: Int = 20): [ImportJob!]!
    grid: Grid
    search: [SearchResult!]!
  }
  type Mutation { renameSegment(id: ID!, name: String!): Segment }
`);

function costOf(query: string, variables: Record<string, unknown> = {}, against: GraphQLSchema = schema): number {
  const document = parse(query);
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  return operationCost(operation, fragmentsOf(document), against, variables);
}

describe('operationCost', () => {
  it('counts every field once outside lists', () => {
    expect(costOf('{ customer(id: "1") { id country rfm { r f m } segment { name coupon { offer } } } }')).toBe(1 + 2 + 4 + 1 + 1 + 2);
  });

  it('multiplies a list by its first argument, else its default', () => {
    expect(costOf('{ importJobs(first: 3) { id } }')).toBe(1 + 3 * 1);
    expect(costOf('{ importJobs { id } }')).toBe(1 + 20 * 1);
    expect(costOf('{ importJobs(first: 2) { id rejectedRows(first: 5) { lineNumber } } }')).toBe(1 + 2 * (1 + 1 + 5));
    expect(costOf('{ importJobs(first: 2) { rejectedRows { lineNumber } } }')).toBe(1 + 2 * (1 + 50));
  });

  it('assumes a documented size for a list without first', () => {
    expect(ASSUMED_LIST_SIZE).toBe(10);
    expect(costOf('{ segments { id name } }')).toBe(1 + ASSUMED_LIST_SIZE * 2);
    expect(costOf('{ customer(id: "1") { couponRecommendations { holdout coupon { offer } } } }')).toBe(1 + 1 + ASSUMED_LIST_SIZE * 3);
  });

  it('counts a list of scalars as one field', () => {
    expect(costOf('{ segments { reasons } }')).toBe(1 + ASSUMED_LIST_SIZE);
  });

  it('sizes the nodes and edges of a connection by its first, and counts pageInfo and totalCount once', () => {
    expect(costOf('{ customers(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { id country } } }')).toBe(1 + 1 + 3 + (1 + 100 * 2));
    expect(costOf('{ customers(first: 5) { edges { cursor node { id } } } }')).toBe(1 + (1 + 5 * (1 + 2)));
    expect(costOf('{ customers { nodes { id } } }')).toBe(1 + (1 + 20));
    // The inner lists of each node keep their own size.
    expect(costOf('{ customers(first: 2) { nodes { couponRecommendations { holdout } } } }')).toBe(1 + 1 + 2 * (1 + ASSUMED_LIST_SIZE));
  });

  it('reads first from variables, then from the variable default, then from the argument default', () => {
    const query = 'query($n: Int) { customers(first: $n) { nodes { id } } }';
    expect(costOf(query, { n: 7 })).toBe(1 + 1 + 7);
    expect(costOf('query($n: Int = 4) { customers(first: $n) { nodes { id } } }')).toBe(1 + 1 + 4);
    expect(costOf('query($n: Int = 4) { customers(first: $n) { nodes { id } } }', { n: 9 })).toBe(1 + 1 + 9);
    // Not given and no default: the assumption (the subgraph decides what a null means).
    expect(costOf(query)).toBe(1 + 1 + ASSUMED_LIST_SIZE);
  });

  it('multiplies nested lists and connections', () => {
    const nested = '{ segments { customers(first: 250) { nodes { id } } } }';
    expect(costOf(nested)).toBe(1 + ASSUMED_LIST_SIZE * (1 + (1 + 250)));
    expect(costOf('{ grid { cells { id } } }')).toBe(1 + 1 + ASSUMED_LIST_SIZE * ASSUMED_LIST_SIZE);
  });

  it('adds up named and inline fragments, with variables inside them', () => {
    const query = `
      query($n: Int!) { customers(first: $n) { ...Page } customer(id: "1") { ... on Customer { id } ...Who } }
      fragment Page on CustomerConnection { pageInfo { hasNextPage } nodes { ...Who } }
      fragment Who on Customer { id segment { name } }
    `;
    expect(costOf(query, { n: 10 })).toBe(1 + 2 + (1 + 10 * 3) + (1 + 1 + 3));
  });

  it('adds up the branches of an abstract type', () => {
    expect(costOf('{ search { ... on Customer { id country } ... on Segment { name } } }')).toBe(1 + ASSUMED_LIST_SIZE * 3);
  });

  it('leaves out fields skipped by @skip or @include', () => {
    const query = 'query($full: Boolean!) { customer(id: "1") { id rfm @include(if: $full) { r f m } segment @skip(if: $full) { name } } }';
    expect(costOf(query, { full: true })).toBe(1 + 1 + 4);
    expect(costOf(query, { full: false })).toBe(1 + 1 + 2);
  });

  it('does not count meta-fields', () => {
    expect(costOf('{ __typename segments { __typename name } }')).toBe(1 + ASSUMED_LIST_SIZE);
    expect(costOf('{ __schema { types { name fields { name } } } }')).toBe(0);
  });

  it('costs mutations like queries', () => {
    expect(costOf('mutation { renameSegment(id: "s", name: "VIP") { id name customers(first: 3) { nodes { id } } } }')).toBe(1 + 2 + (1 + 1 + 3));
  });

  it('stays finite on cyclic or unknown fragments and unknown fields (validation reports them)', () => {
    expect(costOf('{ customer(id: "1") { ...A } } fragment A on Customer { segment { ...B } } fragment B on Segment { coupon { offer } ...C } fragment C on Segment { ...B }')).toBe(1 + 1 + 2);
    expect(costOf('{ customer(id: "1") { ...Missing nope } }')).toBe(2);
  });

  it('computes a fragment spread many times once', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Customer { segment { coupon { offer } } a: segment { ...F${i + 1} } b: segment { ...F${i + 1} } }`).join('\n');
    const started = Date.now();
    // Selections of Segment spread fragments on Customer (invalid, but it must stay cheap to measure).
    expect(costOf(`{ customer(id: "1") { ...F0 } } ${fragments} fragment F${levels} on Customer { id }`)).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('prices the page the CSV export asks for within the default limit, and far below it a bulk of pages', () => {
    const page = costOf(CUSTOMERS_PAGE_QUERY, { id: 's', after: null });
    expect(page).toBeLessThan(DEFAULT_MAX_QUERY_COST);
    expect(costOf('{ segments { customers(first: 250) { nodes { id country rfm { r f m } segment { customers(first: 250) { nodes { id } } } } } } }')).toBeGreaterThan(DEFAULT_MAX_QUERY_COST);
  });
});

describe('operationCost on the committed supergraph', () => {
  let apiSchema: GraphQLSchema;
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(join(__dirname, '..', '..', 'supergraph.graphql'), 'utf8') });
  beforeAll(async () => {
    apiSchema = (await gateway.load()).schema;
  });
  afterAll(() => gateway.stop());

  it.each([
    '{ segments { id name size customerShare revenueShare reasons topCountries { country customers } coupon { offer kind discountPercent minimumBasket validityDays channel } } }',
    '{ customer(id: "17850") { country rfm { recencyDays frequency monetary r f m code segment } cluster { modelVersion cluster distance } segment { name description } couponRecommendations { coupon { offer } holdout } } }',
    '{ rfmSummary { customers asOf cutPoints { recency frequency monetary } segments { segment customers } } }',
    '{ importJobs { id status linesRead accepted rejected rejectedRows(first: 20) { lineNumber code reason raw } } }',
    '{ segmentationModels { version k trainedAt silhouette kSweep { k inertia silhouette daviesBouldin calinskiHarabasz } projection { explainedVarianceRatio points { customerId x y cluster } centroids { cluster x y } } } }',
    '{ customers(first: 250) { totalCount pageInfo { hasNextPage endCursor } nodes { id country rfm { recencyDays frequency monetary r f m segment lastPurchaseAt } } } }',
    CUSTOMERS_PAGE_QUERY,
  ])('lets a query the API documents through: %s', (query) => {
    expect(costOf(query, { id: 'm1-0', after: null }, apiSchema)).toBeLessThan(DEFAULT_MAX_QUERY_COST);
  });

  it('prices the CSV export page as the connection defines it', () => {
    // segment + name + customers + pageInfo (3) + nodes + 250 x (id, country, rfm 1+7, segment 1+1+(1+2), couponRecommendations 1+10).
    expect(costOf(CUSTOMERS_PAGE_QUERY, { id: 'm1-0', after: null }, apiSchema)).toBe(1 + 1 + 1 + 3 + 1 + 250 * (1 + 1 + 8 + 5 + 11));
  });
});

describe('queryCostLimitPlugin', () => {
  const server = new ApolloServer({
    schema,
    rootValue: { customers: () => ({ nodes: [{ id: '1' }], pageInfo: { hasNextPage: false } }) },
    plugins: [queryCostLimitPlugin(50)],
  });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  async function run(query: string, variables?: Record<string, unknown>) {
    const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, result: response.body.singleResult };
  }

  it('lets an operation at the limit through', async () => {
    const { result } = await run('{ customers(first: 48) { nodes { id } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ customers: { nodes: [{ id: '1' }] } });
  });

  it('refuses a costlier operation with QUERY_TOO_COSTLY, its cost and the limit, HTTP 400 and no data', async () => {
    const { status, result } = await run('query($n: Int) { customers(first: $n) { nodes { id } } }', { n: 49 });
    expect(status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('the operation costs 51; the limit is 50'), extensions: { code: 'QUERY_TOO_COSTLY', cost: 51, limit: 50 } })]);
  });
});
