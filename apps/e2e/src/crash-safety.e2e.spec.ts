import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createConnection } from 'mysql2/promise';
import { roundMilliToCents } from '@seg/domain-transactions';
import type { CustomerMetrics } from '@seg/domain-rfm';
import type { DatabaseSettings } from '@seg/platform-config';
import { startPrivateKafka, startPrivateMariaDb, waitFor, WORKSPACE_ROOT, type PrivateKafka, type PrivateMariaDb } from '@seg/testing';
import { graphql, startPlatform, type AppName, type RunningPlatform } from './platform';
import { expectedFromCsv } from './expected';

// Crash safety, end to end: a service killed mid-import, a broker restart and a database restart
// each end in the same state as an undisturbed run. The reference is computed in memory by the
// domain library from the same lines (the services store and aggregate them with SQL).

// The first 50,000 lines of the bundled sample: an import that takes a few seconds.
const LINES = 50_000;
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const csv = `${gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, LINES + 1).join('\n')}\n`;

function referenceState(text: string) {
  const { lines, customers } = expectedFromCsv(text);
  // rfm keeps every distinct attributable line once (its id is the line's identity).
  const storedLines = new Set(lines.filter((l) => l.customerId !== null).map((l) => l.lineId)).size;
  return { customers, storedLines };
}
const reference = referenceState(csv);

type Metrics = Record<string, { frequency: number; monetaryMilli: number; cancelledMilli: number }>;
const referenceMetrics: Metrics = Object.fromEntries(
  reference.customers.map((c: CustomerMetrics) => [c.customerId, { frequency: c.frequency, monetaryMilli: c.monetaryMilli, cancelledMilli: c.cancelledMilli }]),
);

/** Runs one query on a service's own database, as the service's own user. */
async function query<T>(db: DatabaseSettings, sql: string): Promise<T[]> {
  const connection = await createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, connectTimeout: 2_000 });
  try {
    const [rows] = await connection.query(sql);
    return rows as T[];
  } finally {
    await connection.end();
  }
}

/** Distinct lines the rfm service has stored so far (0 before its schema exists). */
async function storedLines(platform: RunningPlatform): Promise<number> {
  const rows = await query<{ n: number }>(platform.databases.rfm, 'SELECT COUNT(*) AS n FROM transaction_lines').catch(() => [{ n: 0 }]);
  return Number(rows[0]?.n ?? 0);
}

async function metricsTable(db: DatabaseSettings, table: 'customer_metrics' | 'customer_features'): Promise<Metrics> {
  const rows = await query<{ customer_id: string; frequency: number; monetary_milli: string; cancelled_milli: string }>(db, `SELECT customer_id, frequency, monetary_milli, cancelled_milli FROM ${table}`);
  return Object.fromEntries(rows.map((r) => [r.customer_id, { frequency: Number(r.frequency), monetaryMilli: Number(r.monetary_milli), cancelledMilli: Number(r.cancelled_milli) }]));
}

type Job = { id: string; status: string; linesRead: number; accepted: number; error: string | null };

async function startImport(platform: RunningPlatform): Promise<string> {
  const response = await graphql<{ startImport: { job: { id: string } | null; userErrors: unknown[] } }>(
    platform.gatewayUrl,
    platform.keys.admin,
    'mutation($p: String!) { startImport(path: $p) { job { id } userErrors { code message } } }',
    { p: join(platform.importDir, 'slice.csv') },
  );
  expect(response.data?.startImport.userErrors).toEqual([]);
  return response.data?.startImport.job?.id as string;
}

async function importJob(platform: RunningPlatform, id: string): Promise<Job | undefined> {
  const response = await graphql<{ importJob: Job }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { importJob(id: $id) { id status linesRead accepted error } }', { id });
  return response.data?.importJob;
}

async function importEnded(platform: RunningPlatform, id: string, timeoutMs = 60_000): Promise<Job> {
  return waitFor(`import ${id} to end`, async () => {
    const job = await importJob(platform, id);
    return job && job.status !== 'RUNNING' ? job : undefined;
  }, timeoutMs, 250);
}

/** Waits until the rfm service has stored between `from` and `to` of the slice's lines; returns the count. */
async function midImport(platform: RunningPlatform, from: number, to: number): Promise<number> {
  const stored = await waitFor('the rfm service to be part-way through the import', async () => {
    const n = await storedLines(platform);
    return n >= from * reference.storedLines ? n : undefined;
  }, 60_000, 50);
  // A disturbance after the import has gone through would prove nothing.
  expect(stored).toBeLessThan(to * reference.storedLines);
  return stored;
}

/**
 * The final state equals the reference: in rfm's database (every line once, every customer's
 * frequency, monetary and cancelled amounts), in clustering's feature table, and through the
 * gateway (rfmSummary, every customer's rfm, every customer in a segment).
 */
async function expectReferenceState(platform: RunningPlatform): Promise<void> {
  await waitFor('rfm to store every line', async () => ((await storedLines(platform)) === reference.storedLines ? true : undefined), 60_000, 250).catch(async (error: unknown) => {
    throw new Error(`${String(error)}: stored ${await storedLines(platform)} of ${reference.storedLines}`);
  });
  expect(await metricsTable(platform.databases.rfm, 'customer_metrics')).toEqual(referenceMetrics);

  await waitFor('clustering to hold every customer\'s latest metrics', async () => {
    const features = await metricsTable(platform.databases.clustering, 'customer_features').catch(() => undefined);
    return features && Object.keys(features).length === reference.customers.length ? features : undefined;
  }, 60_000, 250);
  // Metrics events of one customer arrive in order: once all customers are there, wait for the last updates.
  const features = await waitFor('clustering features to settle on the reference', async () => {
    const f = await metricsTable(platform.databases.clustering, 'customer_features');
    return isDeepStrictEqual(f, referenceMetrics) ? f : undefined;
  }, 30_000, 500).catch(() => metricsTable(platform.databases.clustering, 'customer_features'));
  expect(features).toEqual(referenceMetrics);

  // A model trained while the stream paused (during the crash) covers only the customers seen by
  // then, and what arrives after may stay below the automatic retrain threshold: train once over
  // the settled features, so that the segments compared below are those of every customer.
  const trained = await graphql<{ trainSegmentation: { userErrors: unknown[] } }>(platform.gatewayUrl, platform.keys.admin, 'mutation { trainSegmentation { model { version } userErrors { code message } } }');
  expect(trained.errors).toBeUndefined();
  expect(trained.data?.trainSegmentation.userErrors).toEqual([]);

  type Segments = { rfmSummary: { customers: number }; segments: { size: number }[] };
  await waitFor('every customer to be segmented', async () => {
    const r = await graphql<Segments>(platform.gatewayUrl, platform.keys.viewer, '{ rfmSummary { customers } segments { size } }');
    const segmented = r.data?.segments.reduce((sum, s) => sum + s.size, 0);
    return r.data?.rfmSummary.customers === reference.customers.length && segmented === reference.customers.length ? true : undefined;
  }, 60_000, 500);

  // Every customer's rfm through the gateway, 200 customers per request.
  const ids = reference.customers.map((c) => c.customerId);
  const served: Record<string, { frequency: number; monetary: number } | null> = {};
  for (let i = 0; i < ids.length; i += 200) {
    const part = ids.slice(i, i + 200);
    const fields = part.map((id, j) => `c${j}: customer(id: ${JSON.stringify(id)}) { id rfm { frequency monetary } }`).join(' ');
    const r = await graphql<Record<string, { id: string; rfm: { frequency: number; monetary: number } | null } | null>>(platform.gatewayUrl, platform.keys.viewer, `{ ${fields} }`);
    expect(r.errors).toBeUndefined();
    part.forEach((id, j) => (served[id] = r.data?.[`c${j}`]?.rfm ?? null));
  }
  expect(served).toEqual(Object.fromEntries(reference.customers.map((c) => [c.customerId, { frequency: c.frequency, monetary: roundMilliToCents(c.monetaryMilli) / 100 }])));
}

/** No app died on its own (a crash with a stack trace instead of a retry). */
function expectAllAlive(platform: RunningPlatform): void {
  const apps: AppName[] = ['gateway', 'ingest-service', 'rfm-service', 'clustering-service', 'profiling-service'];
  const dead = apps.filter((name) => {
    const { child } = platform.app(name);
    return child.exitCode !== null || child.signalCode !== null;
  });
  expect(dead).toEqual([]);
}

/** Imports the slice; when the job fails (a dependency was down), imports it again, as an operator would. */
async function importUntilCompleted(platform: RunningPlatform, first: string): Promise<Job[]> {
  const jobs = [await importEnded(platform, first)];
  while (jobs[jobs.length - 1]?.status === 'FAILED' && jobs.length < 3) {
    jobs.push(await importEnded(platform, await startImport(platform)));
  }
  return jobs;
}

describe('crash safety: a service killed with SIGKILL mid-import', () => {
  let platform: RunningPlatform | undefined;

  beforeAll(async () => {
    platform = await startPlatform(4700);
    writeFileSync(join(platform.importDir, 'slice.csv'), csv);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('rfm and clustering killed and started again end in the reference state', async () => {
    const p = platform as RunningPlatform;
    const jobId = await startImport(p);
    await midImport(p, 0.25, 0.8);
    await Promise.all([p.app('rfm-service').kill(), p.app('clustering-service').kill()]);
    await Promise.all([p.restartApp('rfm-service'), p.restartApp('clustering-service')]);

    const job = await importEnded(p, jobId);
    expect(job).toMatchObject({ status: 'COMPLETED', linesRead: LINES });
    await expectReferenceState(p);
    expectAllAlive(p);
  });
});

describe('crash safety: a broker restart mid-import', () => {
  let kafka: PrivateKafka | undefined;
  let platform: RunningPlatform | undefined;

  beforeAll(async () => {
    kafka = await startPrivateKafka({ port: 4810, controllerPort: 4811 });
    platform = await startPlatform(4800, { SEG_KAFKA_BROKERS: kafka.brokers.join(',') });
    writeFileSync(join(platform.importDir, 'slice.csv'), csv);
  });
  afterAll(async () => {
    try {
      await platform?.stop();
    } finally {
      await kafka?.dispose();
    }
  });

  it('services resume on their own; a failed import re-run gives the reference state', async () => {
    const p = platform as RunningPlatform;
    const jobId = await startImport(p);
    await midImport(p, 0.1, 0.8);
    await (kafka as PrivateKafka).restart({ downMs: 3_000 });

    const jobs = await importUntilCompleted(p, jobId);
    for (const failed of jobs.slice(0, -1)) expect(failed.error).toMatch(/\S/);
    expect(jobs[jobs.length - 1]).toMatchObject({ status: 'COMPLETED', linesRead: LINES });
    await expectReferenceState(p);
    expectAllAlive(p);
  });
});

describe('crash safety: a database restart mid-import', () => {
  let mariadb: PrivateMariaDb | undefined;
  let platform: RunningPlatform | undefined;

  beforeAll(async () => {
    mariadb = await startPrivateMariaDb({ port: 4910 });
    const db = mariadb;
    platform = await startPlatform(4900, {}, { createDatabase: (service) => db.createServiceDatabase(service) });
    writeFileSync(join(platform.importDir, 'slice.csv'), csv);
  });
  afterAll(async () => {
    try {
      await platform?.stop();
    } finally {
      await mariadb?.dispose();
    }
  });

  it('services resume on their own; a failed import re-run gives the reference state', async () => {
    const p = platform as RunningPlatform;
    const jobId = await startImport(p);
    await midImport(p, 0.1, 0.8);
    await (mariadb as PrivateMariaDb).restart({ kill: true, downMs: 3_000 });

    const jobs = await importUntilCompleted(p, jobId);
    for (const failed of jobs.slice(0, -1)) expect(failed.error).toMatch(/\S/);
    expect(jobs[jobs.length - 1]).toMatchObject({ status: 'COMPLETED', linesRead: LINES });
    await expectReferenceState(p);
    expectAllAlive(p);
  });
});
