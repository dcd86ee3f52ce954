import { ApolloServer } from '@apollo/server';
import { parse } from 'csv-parse/sync';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { createMetricsRegistry } from '@seg/platform-observability';
import { startHttpServer, type RunningHttpServer } from '@seg/platform-subgraph';
import { parseApiKeys } from '../auth/api-keys';
import { gatewayContext, type GatewayContext } from '../graphql/gateway-context';
import { EXPORT_COLUMNS, exportedCustomerRow, exportedSegmentId, exportFileName, segmentCustomersCsvRoute, type ExportedCustomer } from './segment-customers-csv';

const KEYS = { viewer: 'viewer-key-0000000001', marketer: 'marketer-key-00000001', admin: 'admin-key-000000000001' };

/** A customer as the API answers it; `n` varies the values. */
function customer(n: number, overrides: Partial<ExportedCustomer> = {}): ExportedCustomer {
  return {
    id: String(12_346 + n),
    country: n % 2 === 0 ? 'United Kingdom' : 'France',
    rfm: { recencyDays: n % 90, frequency: 1 + (n % 7), monetary: 10.5 + n, r: 1 + (n % 5), f: 1 + (n % 4), m: 5 - (n % 5), segment: 'Loyal' },
    segment: { name: 'Big spenders, lately quiet', coupon: { offer: '15% off, min. basket 50', discountPercent: 15 } },
    couponRecommendations: [{ holdout: n % 10 === 0 }],
    ...overrides,
  };
}

describe('exportedSegmentId', () => {
  it('reads the segment id of an export path, decoded', () => {
    expect(exportedSegmentId('/exports/segments/m3-2/customers.csv')).toBe('m3-2');
    expect(exportedSegmentId('/exports/segments/m%203/customers.csv')).toBe('m 3');
  });

  it.each(['/exports/segments//customers.csv', '/exports/segments/a/b/customers.csv', '/exports/segments/%E0%A4%A/customers.csv', '/graphql', '/exports/segments/m3-2/customers.json'])('finds none in %s', (path) => {
    expect(exportedSegmentId(path)).toBeUndefined();
  });
});

describe('exportedCustomerRow', () => {
  it('writes the columns in order', () => {
    expect(parse(exportedCustomerRow(customer(0)))).toEqual([['12346', 'United Kingdom', '0', '1', '10.5', '1', '1', '5', 'Loyal', 'Big spenders, lately quiet', '15% off, min. basket 50', '15', 'true']]);
    expect(EXPORT_COLUMNS).toHaveLength(13);
  });

  it('leaves values the platform does not have yet empty', () => {
    expect(parse(exportedCustomerRow(customer(1, { country: null, rfm: null, segment: null, couponRecommendations: [] })))).toEqual([['12347', '', '', '', '', '', '', '', '', '', '', '', '']]);
  });

  it('defuses text that a spreadsheet would run as a formula, numbers untouched', () => {
    const row = parse(exportedCustomerRow(customer(2, { id: '=HYPERLINK("http://x")', country: '+cmd' }))) as string[][];
    expect(row[0]?.slice(0, 3)).toEqual(['\'=HYPERLINK("http://x")', "'+cmd", '2']);
  });
});

describe('exportFileName', () => {
  it('keeps only safe characters of the id', () => {
    expect(exportFileName('m3-2')).toBe('segment-m3-2-customers.csv');
    expect(exportFileName('a"b/c\r\nd')).toBe('segment-a_b_c_d-customers.csv');
  });
});

describe('segmentCustomersCsvRoute', () => {
  // 600 customers: three pages of at most 250.
  const members = Array.from({ length: 600 }, (_, n) => customer(n, n === 7 ? { country: '=1+1' } : {}));
  const cursor = (index: number) => Buffer.from(`c${index}`).toString('base64url');
  const requests: { id: string; first: number; after: string | null; role: string }[] = [];

  const apollo = new ApolloServer<GatewayContext>({
    typeDefs: `#graphql
      type PageInfo { hasNextPage: Boolean!, endCursor: String }
      type CouponRule { offer: String!, discountPercent: Float! }
      type CouponRecommendation { holdout: Boolean! }
      type Rfm { recencyDays: Int!, frequency: Int!, monetary: Float!, r: Int!, f: Int!, m: Int!, segment: String! }
      type CustomerSegment { name: String!, coupon: CouponRule! }
      type Customer { id: ID!, country: String, rfm: Rfm, segment: CustomerSegment, couponRecommendations: [CouponRecommendation!]! }
      type CustomerConnection { nodes: [Customer!]!, pageInfo: PageInfo! }
      type Segment { name: String!, customers(first: Int = 20, after: String): CustomerConnection! }
      type Query { segment(id: ID!): Segment }
    `,
    resolvers: {
      Query: {
        segment: (_: unknown, { id }: { id: string }) => {
          if (id === 'subgraph-down') throw new GraphQLError('the profiling subgraph is unavailable: its fields are missing from this answer', { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'profiling' } });
          return ['s1', 'fails-later', 'empty'].includes(id) ? { id, name: 'Big spenders, lately quiet' } : null;
        },
      },
      Segment: {
        customers: ({ id }: { id: string }, { first, after }: { first: number; after: string | null }, context: GatewayContext) => {
          requests.push({ id, first, after, role: context.role });
          if (id === 'fails-later' && after !== null) throw new GraphQLError('the rfm subgraph is unavailable', { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'rfm' } });
          const list = id === 'empty' ? [] : members;
          const start = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString().slice(1)) + 1;
          const nodes = list.slice(start, start + first);
          const end = start + nodes.length - 1;
          return { nodes, pageInfo: { hasNextPage: end < list.length - 1, endCursor: nodes.length > 0 ? cursor(end) : null } };
        },
      },
    },
  });
  const logger = pino({ level: 'silent' });
  let server: RunningHttpServer;
  let base: string;

  beforeAll(async () => {
    const parsed = parseApiKeys(`viewer:${KEYS.viewer},marketer:${KEYS.marketer},admin:${KEYS.admin}`);
    if ('error' in parsed) throw new Error(parsed.error);
    const context = gatewayContext({ apiKeys: parsed.keys, jwt: undefined });
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      apollo,
      context,
      readiness: async () => ({ ready: true, checks: {} }),
      metrics: createMetricsRegistry('gateway-test', { processMetrics: false }),
      logger,
      routes: segmentCustomersCsvRoute({ apollo, context, logger }),
    });
    base = server.url.replace(/\/graphql$/, '');
  });
  afterAll(() => server.close());
  beforeEach(() => {
    requests.length = 0;
  });

  const download = (segment: string, key: string | null, init: RequestInit = {}) =>
    fetch(`${base}/exports/segments/${encodeURIComponent(segment)}/customers.csv`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'x-correlation-id': 'export-1' } });

  it('streams every customer of the segment to a marketer, page after page, as an attachment', async () => {
    const response = await download('s1', KEYS.marketer);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="segment-s1-customers.csv"');
    expect(response.headers.get('x-correlation-id')).toBe('export-1');
    const records = parse(await response.text()) as string[][];
    expect(records[0]).toEqual([...EXPORT_COLUMNS]);
    expect(records).toHaveLength(1 + members.length);
    expect(records.slice(1).map((r) => r[0])).toEqual(members.map((m) => m.id));
    expect(records[8]?.[1]).toBe("'=1+1");
    expect(requests).toEqual([
      { id: 's1', first: 250, after: null, role: 'marketer' },
      { id: 's1', first: 250, after: cursor(249), role: 'marketer' },
      { id: 's1', first: 250, after: cursor(499), role: 'marketer' },
    ]);
  });

  it('lets an admin export too, and gives the header row alone for an empty segment', async () => {
    const response = await download('empty', KEYS.admin);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`${EXPORT_COLUMNS.join(',')}\r\n`);
  });

  it('refuses a viewer with 403 and a request without credentials with 401', async () => {
    const viewer = await download('s1', KEYS.viewer);
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toEqual({ errors: [{ message: 'exports need the marketer or admin role; you have viewer', extensions: { code: 'FORBIDDEN' } }] });
    const anonymous = await download('s1', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await anonymous.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect((await download('s1', 'not-a-configured-key-0000')).status).toBe(401);
    expect(requests).toEqual([]);
  });

  it('answers 404 for an unknown segment and an unknown export, 405 for another method', async () => {
    const unknown = await download('no-such-segment', KEYS.marketer);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('NOT_FOUND');
    expect((await fetch(`${base}/exports/customers.csv`, { headers: { authorization: `Bearer ${KEYS.marketer}` } })).status).toBe(404);
    const post = await download('s1', KEYS.marketer, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('answers 502 naming the subgraph when the first page cannot be read', async () => {
    const response = await download('subgraph-down', KEYS.marketer);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'profiling' } })] });
  });

  it('cuts the download short when a later page fails, so it cannot pass for a whole file', async () => {
    const response = await download('fails-later', KEYS.marketer);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });
});
