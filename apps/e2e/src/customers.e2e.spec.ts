import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { roundMilliToCents } from '@seg/domain-transactions';
import { buildSnapshot, RFM_SEGMENT_NAMES, type CustomerMetrics } from '@seg/domain-rfm';
import { WORKSPACE_ROOT, waitFor } from '@seg/testing';
import { graphql, startPlatform, waitForEveryoneSegmented, type GraphQLResponse, type RunningPlatform } from './platform';
import { expectedFromCsv } from './expected';

// The paginated customer lists of the profiling subgraph, through the gateway with the viewer key,
// over the first 6,000 lines of the bundled sample (real UCI Online Retail lines, December 2010).
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const csv = `${gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, 6_001).join('\n')}\n`;

/** Each customer's metrics and RFM segment, computed in memory by the domain library from the same file. */
function expectedCustomers(text: string) {
  const { customers } = expectedFromCsv(text);
  const snapshot = buildSnapshot(customers);
  const segmentOf = (c: CustomerMetrics) => snapshot.customers.get(c.customerId)?.score.segment;
  return { customers, segmentOf };
}

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Connection<N> {
  totalCount: number;
  pageInfo: PageInfo;
  edges: { cursor: string; node: N }[];
  nodes: N[];
}
type Problem = { code?: string; field?: string[] };

const codeUnitOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('customer lists through the gateway', () => {
  let platform: RunningPlatform;
  const expected = expectedCustomers(csv);
  const ids = (list: readonly CustomerMetrics[]) => list.map((c) => c.customerId).sort(codeUnitOrder);

  const ask = <T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> => graphql<T>(platform.gatewayUrl, platform.keys.viewer, query, variables);

  /** Every page of a connection, following pageInfo.endCursor; `pick` finds the connection in the answer. */
  async function walk<N>(query: string, variables: Record<string, unknown>, pick: (data: unknown) => Connection<N>): Promise<{ nodes: N[]; pages: Connection<N>[] }> {
    const pages: Connection<N>[] = [];
    let after: string | null = null;
    for (;;) {
      const response: GraphQLResponse<unknown> = await ask(query, { ...variables, after });
      expect(response.errors).toBeUndefined();
      const page = pick(response.data);
      pages.push(page);
      if (!page.pageInfo.hasNextPage) return { nodes: pages.flatMap((p) => p.nodes), pages };
      after = page.pageInfo.endCursor;
      if (pages.length > 100) throw new Error('more pages than customers');
    }
  }
  const customersQuery = (fields: string) =>
    `query($first: Int, $after: String, $filter: CustomerFilter, $orderBy: CustomerOrder) {
       customers(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
         totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } nodes { ${fields} }
       } }`;
  const customers = <N>(data: unknown) => (data as { customers: Connection<N> }).customers;

  beforeAll(async () => {
    platform = await startPlatform(5000);
    writeFileSync(join(platform.importDir, 'december.csv'), csv);
    const started = await graphql<{ startImport: { job: { id: string } | null } }>(platform.gatewayUrl, platform.keys.admin, 'mutation($p: String!) { startImport(path: $p) { job { id } } }', {
      p: join(platform.importDir, 'december.csv'),
    });
    const jobId = started.data?.startImport.job?.id;
    if (!jobId) throw new Error(`the import did not start: ${JSON.stringify(started)}`);
    await waitFor('the import to finish', async () => {
      const r = await ask<{ importJob: { status: string } }>('query($id: ID!) { importJob(id: $id) { status } }', { id: jobId });
      return r.data?.importJob.status === 'RUNNING' ? undefined : r.data?.importJob.status;
    });
    // Segments come with the model event, each customer's assignment with its own event, and the
    // customer directory with the metrics events: wait until all three have arrived in profiling.
    await waitForEveryoneSegmented(platform, expected.customers.length);
    await waitFor(
      'every customer to be in a segment',
      async () => {
        const r = await ask<{ segments: { size: number; customers: { totalCount: number } }[] }>('{ segments { size customers(first: 1) { totalCount } } }');
        const segments = r.data?.segments ?? [];
        const complete = segments.length > 0 && segments.reduce((sum, s) => sum + s.size, 0) === expected.customers.length && segments.every((s) => s.customers.totalCount === s.size);
        return complete ? true : undefined;
      },
      120_000,
      500,
    );
    // The directory's last metric changes may arrive after the model: wait until profiling's
    // scores are those of the whole file (one count per named RFM segment).
    const counts = RFM_SEGMENT_NAMES.map((name, i) => `s${i}: customers(first: 1, filter: { rfmSegment: "${name}" }) { totalCount }`).join(' ');
    await waitFor(
      'the customer directory to hold the whole file',
      async () => {
        const r = await ask<Record<string, { totalCount: number }>>(`{ all: customers(first: 1) { totalCount } ${counts} }`);
        if (r.data?.['all']?.totalCount !== expected.customers.length) return undefined;
        const settled = RFM_SEGMENT_NAMES.every((name, i) => r.data?.[`s${i}`]?.totalCount === expected.customers.filter((c) => expected.segmentOf(c) === name).length);
        return settled ? true : undefined;
      },
      60_000,
      500,
    );
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('counts every customer of the file', async () => {
    const r = await ask<{ customers: { totalCount: number } }>('{ customers { totalCount } }');
    expect(r.errors).toBeUndefined();
    expect(r.data?.customers.totalCount).toBe(expected.customers.length);
  });

  it('walks all pages with after: every customer exactly once, by id, with consistent page info', async () => {
    const { nodes, pages } = await walk<{ id: string }>(customersQuery('id'), { first: 37 }, customers);
    const seen = nodes.map((n) => n.id);
    expect(seen).toHaveLength(expected.customers.length);
    expect(seen).toEqual(ids(expected.customers)); // once each, in id order (the default)
    expect(pages).toHaveLength(Math.ceil(expected.customers.length / 37));
    pages.forEach((page, i) => {
      expect(page.totalCount).toBe(expected.customers.length);
      expect(page.pageInfo.hasPreviousPage).toBe(i > 0);
      expect(page.pageInfo.hasNextPage).toBe(i < pages.length - 1);
      expect(page.edges.map((e) => e.node.id)).toEqual(page.nodes.map((n) => n.id));
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]?.cursor);
    });
  });

  it('orders by MONETARY DESC: sorted by the rfm service\'s monetary, ties by id, as the file says', async () => {
    type Node = { id: string; rfm: { monetary: number } };
    const { nodes } = await walk<Node>(customersQuery('id rfm { monetary }'), { first: 250, orderBy: { field: 'MONETARY', direction: 'DESC' } }, customers);
    expect(nodes).toHaveLength(expected.customers.length);
    for (let i = 1; i < nodes.length; i++) expect(nodes[i]!.rfm.monetary).toBeLessThanOrEqual(nodes[i - 1]!.rfm.monetary);
    const byMonetary = [...expected.customers].sort((a, b) => b.monetaryMilli - a.monetaryMilli || codeUnitOrder(b.customerId, a.customerId));
    expect(nodes.map((n) => n.id)).toEqual(byMonetary.map((c) => c.customerId));
    expect(nodes.map((n) => n.rfm.monetary)).toEqual(byMonetary.map((c) => roundMilliToCents(c.monetaryMilli) / 100));
  });

  it('filters by country: the customers of the file whose latest purchase was there', async () => {
    const perCountry = new Map<string, number>();
    for (const c of expected.customers) perCountry.set(c.country, (perCountry.get(c.country) ?? 0) + 1);
    // The second most common country (the first is the United Kingdom, nearly everyone).
    const [country] = [...perCountry].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[1] ?? [];
    if (!country) throw new Error('the slice has a single country');
    const { nodes, pages } = await walk<{ id: string }>(customersQuery('id'), { first: 5, filter: { country } }, customers);
    expect(pages[0]?.totalCount).toBe(perCountry.get(country));
    expect(nodes.map((n) => n.id)).toEqual(ids(expected.customers.filter((c) => c.country === country)));
  });

  it('filters by named RFM segment: the same customers as the domain library scores from the file', async () => {
    type Node = { id: string; rfm: { segment: string } };
    const present = RFM_SEGMENT_NAMES.filter((name) => expected.customers.some((c) => expected.segmentOf(c) === name));
    expect(present.length).toBeGreaterThan(3);
    for (const name of present) {
      const { nodes, pages } = await walk<Node>(customersQuery('id rfm { segment }'), { first: 250, filter: { rfmSegment: name }, orderBy: { field: 'RECENCY_DAYS', direction: 'ASC' } }, customers);
      const mine = expected.customers.filter((c) => expected.segmentOf(c) === name);
      expect(pages[0]?.totalCount).toBe(mine.length);
      expect(nodes.map((n) => n.id).sort(codeUnitOrder)).toEqual(ids(mine));
      // The rfm service scores the same customers into the same segment.
      expect(new Set(nodes.map((n) => n.rfm.segment))).toEqual(new Set([name]));
    }
  });

  it('lists a segment\'s customers: as many as its size, each of them in that segment', async () => {
    const r = await ask<{ segments: { id: string; name: string; size: number }[] }>('{ segments { id name size } }');
    const segments = r.data?.segments ?? [];
    expect(segments.length).toBeGreaterThan(1);
    const seen = new Set<string>();
    for (const segment of segments) {
      type Node = { id: string; segment: { id: string } | null };
      const query = `query($id: ID!, $first: Int, $after: String) { segment(id: $id) { id name size customers(first: $first, after: $after, orderBy: { field: FREQUENCY }) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } nodes { id segment { id } } } } }`;
      const { nodes, pages } = await walk<Node>(query, { id: segment.id, first: 100 }, (data) => (data as { segment: { customers: Connection<Node> } }).segment.customers);
      expect(pages[0]?.totalCount).toBe(segment.size);
      expect(nodes).toHaveLength(segment.size);
      expect(new Set(nodes.map((n) => n.segment?.id))).toEqual(new Set([segment.id]));
      for (const n of nodes) seen.add(n.id);

      const one = await ask<{ segment: { id: string; name: string; size: number } }>('query($id: ID!) { segment(id: $id) { id name size } }', { id: segment.id });
      expect(one.data?.segment).toEqual(segment);
      // The same members through the filter of Query.customers.
      const filtered = await ask<{ customers: { totalCount: number } }>('query($s: ID!) { customers(filter: { segment: $s }) { totalCount } }', { s: segment.id });
      expect(filtered.data?.customers.totalCount).toBe(segment.size);
      // search: customer ids starting with the text.
      const prefix = nodes[0]?.id.slice(0, 3) as string;
      const searched = await ask<{ segment: { customers: { totalCount: number; nodes: { id: string }[] } } }>(
        'query($id: ID!, $q: String) { segment(id: $id) { customers(first: 250, search: $q) { totalCount nodes { id } } } }',
        { id: segment.id, q: prefix },
      );
      expect(searched.data?.segment.customers.nodes.map((n) => n.id).sort(codeUnitOrder)).toEqual(nodes.map((n) => n.id).filter((id) => id.startsWith(prefix)).sort(codeUnitOrder));
    }
    expect(seen.size).toBe(expected.customers.length);
  });

  it('answers an unknown segment id with null, and an empty list for it as a filter, without errors', async () => {
    const r = await ask<{ segment: unknown; customers: { totalCount: number; edges: unknown[]; pageInfo: PageInfo } }>(
      '{ segment(id: "no-such-segment") { id name } customers(filter: { segment: "no-such-segment" }) { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.segment).toBeNull();
    expect(r.data?.customers).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  it('refuses bad arguments with BAD_USER_INPUT and the argument\'s path', async () => {
    const refusal = async (query: string, variables: Record<string, unknown> = {}): Promise<Problem | undefined> => {
      const r = await ask<unknown>(query, variables);
      expect(r.errors).toHaveLength(1);
      return r.errors?.[0]?.extensions as Problem | undefined;
    };
    expect(await refusal('{ customers(first: 0) { totalCount } }')).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
    expect(await refusal('{ customers(first: 251) { totalCount } }')).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
    expect(await refusal('{ customers(after: "garbage") { totalCount } }')).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });
    expect(await refusal('{ customers(filter: { rfmSegment: "Best Friends" }) { totalCount } }')).toMatchObject({ code: 'BAD_USER_INPUT', field: ['filter', 'rfmSegment'] });
    expect(await refusal('{ customers(filter: { minMonetary: -1 }) { totalCount } }')).toMatchObject({ code: 'BAD_USER_INPUT', field: ['filter', 'minMonetary'] });

    // A cursor of one order is refused by another, rather than silently skipping customers.
    const page = await ask<{ customers: { pageInfo: PageInfo } }>('{ customers(first: 2, orderBy: { field: MONETARY }) { pageInfo { endCursor } } }');
    const cursor = page.data?.customers.pageInfo.endCursor;
    expect(await refusal('query($c: String) { customers(after: $c) { totalCount } }', { c: cursor })).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });

    const segments = await ask<{ segments: { id: string }[] }>('{ segments { id } }');
    const id = segments.data?.segments[0]?.id;
    expect(await refusal('query($id: ID!) { segment(id: $id) { customers(first: 251) { totalCount } } }', { id })).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
  });
});
