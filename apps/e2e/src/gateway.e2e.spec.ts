import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { SignJWT } from 'jose';
import { WORKSPACE_ROOT, waitFor } from '@seg/testing';
import { expectedFromCsv } from './expected';
import { graphql, startPlatform, waitForEveryoneSegmented, type RunningPlatform } from './platform';

// The gateway's own features on the five real apps: the query cost limit, JWTs beside API keys,
// the CSV export of a segment's customers, and a partial answer when a subgraph is down. Over the
// first 6,000 lines of the bundled sample (real UCI Online Retail lines, December 2010). The
// platform runs with NODE_ENV=production, so error masking is the one users get.
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const csv = `${gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, 6_001).join('\n')}\n`;

const JWT_SECRET = randomBytes(32).toString('hex');
const JWT_ISSUER = 'https://id.e2e.example';
const JWT_AUDIENCE = 'seg-api';

const EXPORT_HEADER = ['customer_id', 'country', 'recency_days', 'frequency', 'monetary', 'r', 'f', 'm', 'rfm_segment', 'segment', 'coupon_offer', 'coupon_discount_percent', 'holdout'];

interface Problem {
  readonly message: string;
  readonly extensions?: { readonly code?: string; readonly serviceName?: string; readonly cost?: number; readonly limit?: number };
}

function jwtFor(role: string, expiresIn = '10m'): Promise<string> {
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('e2e-user')
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(JWT_SECRET));
}

describe('the gateway end to end', () => {
  let platform: RunningPlatform;
  let exportsBase: string;
  type Segment = { id: string; name: string; size: number };
  let segments: Segment[];

  beforeAll(async () => {
    platform = await startPlatform(5200, { NODE_ENV: 'production', SEG_JWT_SECRET: JWT_SECRET, SEG_JWT_ISSUER: JWT_ISSUER, SEG_JWT_AUDIENCE: JWT_AUDIENCE });
    exportsBase = platform.gatewayUrl.replace(/\/graphql$/, '/exports/segments');
    writeFileSync(join(platform.importDir, 'december.csv'), csv);
    const started = await graphql<{ startImport: { job: { id: string } | null } }>(platform.gatewayUrl, platform.keys.admin, 'mutation($p: String!) { startImport(path: $p) { job { id } } }', {
      p: join(platform.importDir, 'december.csv'),
    });
    const jobId = started.data?.startImport.job?.id;
    if (!jobId) throw new Error(`the import did not start: ${JSON.stringify(started)}`);
    await waitFor('the import to finish', async () => {
      const r = await graphql<{ importJob: { status: string } }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { importJob(id: $id) { status } }', { id: jobId });
      return r.data?.importJob.status === 'RUNNING' ? undefined : r.data?.importJob.status;
    });
    // Sizes come with the model event, each customer's assignment with its own event: wait until
    // every segment's customer list is as long as its size.
    await waitForEveryoneSegmented(platform, expectedFromCsv(csv).customers.length);
    segments = await waitFor(
      'every customer to be listed in its segment',
      async () => {
        const r = await graphql<{ rfmSummary: { customers: number }; segments: (Segment & { customers: { totalCount: number } })[] }>(
          platform.gatewayUrl,
          platform.keys.viewer,
          '{ rfmSummary { customers } segments { id name size customers(first: 1) { totalCount } } }',
        );
        const list = r.data?.segments ?? [];
        const listed = list.reduce((sum, s) => sum + s.customers.totalCount, 0);
        const complete = list.length > 0 && listed === r.data?.rfmSummary.customers && list.every((s) => s.customers.totalCount === s.size);
        return complete ? list.map(({ id, name, size }) => ({ id, name, size })) : undefined;
      },
      120_000,
      500,
    );
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses a too costly query with QUERY_TOO_COSTLY, its cost and the limit, HTTP 400 and no data', async () => {
    const query = '{ segments { customers(first: 250) { nodes { id segment { customers(first: 250) { nodes { id country } } } } } } }';
    const response = await graphql(platform.gatewayUrl, platform.keys.admin, query);
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    const error = response.errors?.[0] as Problem | undefined;
    expect(error?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(error?.extensions?.limit).toBe(25_000);
    expect(error?.extensions?.cost).toBeGreaterThan(25_000);
    expect(error?.message).toContain(`the operation costs ${error?.extensions?.cost}`);
  });

  it('lets a JWT viewer read and refuses its mutations; refuses an expired JWT; keeps API keys working', async () => {
    const viewer = await jwtFor('viewer');
    const read = await graphql<{ segments: { name: string }[] }>(platform.gatewayUrl, viewer, '{ segments { id name } }');
    expect(read.status).toBe(200);
    expect(read.errors).toBeUndefined();
    expect(read.data?.segments.map((s) => s.name).sort()).toEqual(segments.map((s) => s.name).sort());

    const target = segments[0] as Segment;
    const rename = await graphql(platform.gatewayUrl, viewer, 'mutation($id: ID!) { renameSegment(id: $id, name: "Renamed by a viewer") { segment { name } userErrors { code } } }', { id: target.id });
    expect(rename.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const after = await graphql<{ segment: { name: string } }>(platform.gatewayUrl, viewer, 'query($id: ID!) { segment(id: $id) { name } }', { id: target.id });
    expect(after.data?.segment.name).toBe(target.name);

    const expired = await graphql(platform.gatewayUrl, await jwtFor('admin', '-2m'), '{ segments { name } }');
    expect(expired.status).toBe(401);
    expect(expired.errors?.[0]).toMatchObject({ message: 'invalid token: the token has expired', extensions: { code: 'UNAUTHENTICATED' } });

    const byKey = await graphql<{ segments: unknown[] }>(platform.gatewayUrl, platform.keys.viewer, '{ segments { id } }');
    expect(byKey.data?.segments).toHaveLength(segments.length);
  });

  it('tells each caller its role (me), for API keys and JWTs alike', async () => {
    const roleOf = async (credential: string) => (await graphql<{ me: { role: string } }>(platform.gatewayUrl, credential, '{ me { role } }')).data?.me.role;
    expect(await Promise.all([roleOf(platform.keys.viewer), roleOf(platform.keys.marketer), roleOf(platform.keys.admin)])).toEqual(['VIEWER', 'MARKETER', 'ADMIN']);
    expect(await Promise.all([roleOf(await jwtFor('viewer')), roleOf(await jwtFor('marketer')), roleOf(await jwtFor('admin'))])).toEqual(['VIEWER', 'MARKETER', 'ADMIN']);
  });

  it('exports a segment\'s customers as CSV for a marketer: a header row and one row per customer', async () => {
    const segment = [...segments].sort((a, b) => b.size - a.size)[0] as Segment;
    const response = await fetch(`${exportsBase}/${encodeURIComponent(segment.id)}/customers.csv`, { headers: { authorization: `Bearer ${platform.keys.marketer}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="segment-.+-customers\.csv"$/);
    const text = await response.text();
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual(EXPORT_HEADER);
    expect(rows).toHaveLength(segment.size);
    expect(new Set(rows.map((r) => r[0])).size).toBe(segment.size);
    for (const row of rows) {
      expect(row[9]).toBe(segment.name);
      expect(Number(row[3])).toBeGreaterThanOrEqual(1); // frequency
      expect(['true', 'false']).toContain(row[12]);
    }
    // The rows are those of the API: spot-check one customer.
    const first = rows[0] as string[];
    const customer = await graphql<{ customer: { country: string; rfm: { frequency: number; monetary: number } } }>(
      platform.gatewayUrl,
      platform.keys.viewer,
      'query($id: ID!) { customer(id: $id) { country rfm { frequency monetary } } }',
      { id: first[0] },
    );
    expect([first[1], Number(first[3]), Number(first[4])]).toEqual([customer.data?.customer.country, customer.data?.customer.rfm.frequency, customer.data?.customer.rfm.monetary]);
  });

  it('refuses the export to a viewer (403) and without credentials (401), and answers 404 for an unknown segment', async () => {
    const url = (id: string) => `${exportsBase}/${encodeURIComponent(id)}/customers.csv`;
    const segment = segments[0] as Segment;
    expect((await fetch(url(segment.id), { headers: { authorization: `Bearer ${platform.keys.viewer}` } })).status).toBe(403);
    expect((await fetch(url(segment.id), { headers: { authorization: `Bearer ${await jwtFor('viewer')}` } })).status).toBe(403);
    const anonymous = await fetch(url(segment.id));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const unknown = await fetch(url('no-such-segment'), { headers: { authorization: `Bearer ${platform.keys.admin}` } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errors: Problem[] }).errors[0]?.extensions?.code).toBe('NOT_FOUND');
    // A marketer's JWT is as good as a marketer's key.
    const byJwt = await fetch(url(segment.id), { headers: { authorization: `Bearer ${await jwtFor('marketer')}` } });
    expect(byJwt.status).toBe(200);
    expect((parse(await byJwt.text()) as string[][]).length).toBe(1 + segment.size);
  });

  // Last: it stops the profiling service.
  it('answers with what it has when the profiling subgraph is down, naming it in the error', async () => {
    const listed = await graphql<{ segment: { customers: { nodes: { id: string; country: string }[] } } }>(
      platform.gatewayUrl,
      platform.keys.viewer,
      'query($id: ID!) { segment(id: $id) { customers(first: 1) { nodes { id country } } } }',
      { id: (segments[0] as Segment).id },
    );
    const known = listed.data?.segment.customers.nodes[0];
    if (!known) throw new Error('no customer to ask for');

    await platform.app('profiling-service').stop();
    const response = await graphql<{ customer: { country: string; segment: { name: string } | null } }>(
      platform.gatewayUrl,
      platform.keys.viewer,
      'query($id: ID!) { customer(id: $id) { country segment { name } } }',
      { id: known.id },
    );
    expect(response.status).toBe(200);
    expect(response.data?.customer).toEqual({ country: known.country, segment: null });
    const errors = (response.errors ?? []) as Problem[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.extensions?.serviceName === 'profiling' && /profiling/.test(e.message))).toBe(true);
    // Production masking keeps the subgraph's name, never its address.
    expect(JSON.stringify(errors)).not.toContain(platform.subgraphUrls.profiling.replace(/^http:\/\//, '').replace(/\/graphql$/, ''));
  });
});
