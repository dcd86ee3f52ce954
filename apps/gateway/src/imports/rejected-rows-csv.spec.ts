import { ApolloServer } from '@apollo/server';
import { parse } from 'csv-parse/sync';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { createMetricsRegistry } from '@seg/platform-observability';
import { startHttpServer, type RunningHttpServer } from '@seg/platform-subgraph';
import { parseApiKeys } from '../auth/api-keys';
import { gatewayContext, type GatewayContext } from '../graphql/gateway-context';
import { REJECTED_COLUMNS, REJECTED_PAGE_SIZE, rejectedRowLine, rejectedRowsCsvRoute, rejectedRowsFileName, rejectedRowsJobId, type RejectedRow } from './rejected-rows-csv';

const KEYS = { viewer: 'viewer-key-0000000001', marketer: 'marketer-key-00000001', admin: 'admin-key-000000000001' };

describe('rejectedRowsJobId', () => {
  it('reads the job id of a rejected-rows path, decoded', () => {
    expect(rejectedRowsJobId('/imports/6f1c2a9e-0b7d-4c3e-9a43-5c1f0e2d7b11/rejected.csv')).toBe('6f1c2a9e-0b7d-4c3e-9a43-5c1f0e2d7b11');
    expect(rejectedRowsJobId('/imports/a%20b/rejected.csv')).toBe('a b');
  });

  it.each(['/imports//rejected.csv', '/imports/a/b/rejected.csv', '/imports/%E0%A4%A/rejected.csv', '/imports', '/imports/a/rejected.json'])('finds none in %s', (path) => {
    expect(rejectedRowsJobId(path)).toBeUndefined();
  });
});

describe('rejectedRowLine', () => {
  it('writes line number, code, reason and raw text, quoting and defusing text', () => {
    const row: RejectedRow = { lineNumber: 7, code: 'BAD_PRICE', reason: 'UnitPrice "=1+1" is not a decimal', raw: '=1+1,85123A,"A, B",6' };
    expect(parse(rejectedRowLine(row))).toEqual([['7', 'BAD_PRICE', 'UnitPrice "=1+1" is not a decimal', '\'=1+1,85123A,"A, B",6']]);
    expect(rejectedRowLine({ ...row, raw: null })).toBe('7,BAD_PRICE,"UnitPrice ""=1+1"" is not a decimal",\r\n');
    expect(rejectedRowLine({ lineNumber: 9, code: 'BAD_DATE', reason: 'x', raw: '-2,@a' })).toBe("9,BAD_DATE,x,\"'-2,@a\"\r\n");
  });
});

describe('rejectedRowsFileName', () => {
  it('keeps only safe characters of the id', () => {
    expect(rejectedRowsFileName('6f1c2a9e-0b7d')).toBe('import-6f1c2a9e-0b7d-rejected.csv');
    expect(rejectedRowsFileName('a"b/c\r\nd')).toBe('import-a_b_c_d-rejected.csv');
  });
});

describe('rejectedRowsCsvRoute', () => {
  // 2,345 rows on odd line numbers: three pages of at most 1,000.
  const rows: RejectedRow[] = Array.from({ length: 2_345 }, (_, i) => ({
    lineNumber: 3 + 2 * i,
    code: i % 2 === 0 ? 'BAD_QUANTITY' : 'UNREADABLE_ROW',
    reason: `reason ${i}`,
    raw: i === 10 ? '=HYPERLINK("http://x"),1,2' : i === 11 ? null : `536365,85123A,row ${i}`,
  }));
  const requests: { id: string; first: number; after: number | null; role: string }[] = [];

  const apollo = new ApolloServer<GatewayContext>({
    typeDefs: `#graphql
      type RejectedRow { lineNumber: Int!, code: String!, reason: String!, raw: String }
      type ImportJob { id: ID!, rejectedRows(first: Int = 50, after: Int): [RejectedRow!]! }
      type Query { importJob(id: ID!): ImportJob }
    `,
    resolvers: {
      Query: {
        importJob: (_: unknown, { id }: { id: string }) => {
          if (id === 'subgraph-down') throw new GraphQLError('the ingest subgraph is unavailable: its fields are missing from this answer', { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ingest' } });
          return ['job-1', 'clean', 'fails-later'].includes(id) ? { id } : null;
        },
      },
      ImportJob: {
        rejectedRows: ({ id }: { id: string }, { first, after }: { first: number; after: number | null }, context: GatewayContext) => {
          requests.push({ id, first, after, role: context.role });
          if (id === 'fails-later' && after !== null) throw new GraphQLError('the ingest subgraph is unavailable', { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ingest' } });
          const list = id === 'clean' ? [] : rows;
          return list.filter((r) => after === null || r.lineNumber > after).slice(0, first);
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
      metrics: createMetricsRegistry('gateway-rejected-test', { processMetrics: false }),
      logger,
      routes: rejectedRowsCsvRoute({ apollo, context, logger }),
    });
    base = server.url.replace(/\/graphql$/, '');
  });
  afterAll(() => server.close());
  beforeEach(() => {
    requests.length = 0;
  });

  const download = (job: string, key: string | null, init: RequestInit = {}) =>
    fetch(`${base}/imports/${encodeURIComponent(job)}/rejected.csv`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'x-correlation-id': 'rejected-1' } });

  it('streams every rejected row to an admin, page after page by line number, as an attachment', async () => {
    const response = await download('job-1', KEYS.admin);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="import-job-1-rejected.csv"');
    expect(response.headers.get('x-correlation-id')).toBe('rejected-1');
    const records = parse(await response.text()) as string[][];
    expect(records[0]).toEqual([...REJECTED_COLUMNS]);
    expect(records.slice(1).map((r) => Number(r[0]))).toEqual(rows.map((r) => r.lineNumber));
    expect(records[11]?.[3]).toBe('\'=HYPERLINK("http://x"),1,2');
    expect(records[12]?.[3]).toBe('');
    expect(requests).toEqual([
      { id: 'job-1', first: REJECTED_PAGE_SIZE, after: null, role: 'admin' },
      { id: 'job-1', first: REJECTED_PAGE_SIZE, after: rows[999]?.lineNumber, role: 'admin' },
      { id: 'job-1', first: REJECTED_PAGE_SIZE, after: rows[1999]?.lineNumber, role: 'admin' },
    ]);
  });

  it('gives the header row alone for a job without rejected rows', async () => {
    const response = await download('clean', KEYS.admin);
    expect(await response.text()).toBe(`${REJECTED_COLUMNS.join(',')}\r\n`);
  });

  it('refuses a viewer and a marketer with 403 and a request without credentials with 401', async () => {
    for (const key of [KEYS.viewer, KEYS.marketer]) {
      const refused = await download('job-1', key);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('FORBIDDEN');
    }
    const anonymous = await download('job-1', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(requests).toEqual([]);
  });

  it('answers 404 for an unknown job and an unknown address, 405 for another method', async () => {
    const unknown = await download('no-such-job', KEYS.admin);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('NOT_FOUND');
    expect((await fetch(`${base}/imports/job-1/accepted.csv`, { headers: { authorization: `Bearer ${KEYS.admin}` } })).status).toBe(404);
    const post = await download('job-1', KEYS.admin, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('answers 502 naming the subgraph when the first page cannot be read, and cuts a later failure short', async () => {
    const down = await download('subgraph-down', KEYS.admin);
    expect(down.status).toBe(502);
    expect(await down.json()).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'ingest' } })] });
    const later = await download('fails-later', KEYS.admin);
    expect(later.status).toBe(200);
    await expect(later.text()).rejects.toThrow();
  });
});
