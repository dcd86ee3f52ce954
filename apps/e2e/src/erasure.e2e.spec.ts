import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { Kafka, logLevel } from 'kafkajs';
import { createConnection, type Connection } from 'mysql2/promise';
import { RawTransactionSubmittedV1 } from '@seg/contracts-events';
import type { DatabaseSettings } from '@seg/platform-config';
import { WORKSPACE_ROOT, waitFor, type ServiceName } from '@seg/testing';
import { graphql, startPlatform, waitForEveryoneSegmented, type RunningPlatform } from './platform';
import { expectedFromCsv } from './expected';

// Erasing a customer (GDPR art. 17) through the gateway, over the first 6,000 lines of the bundled
// sample (real UCI Online Retail lines, December 2010): every service deletes what it holds, and
// importing the same file again does not bring the customer back.
const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const csv = `${gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n').slice(0, 6_001).join('\n')}\n`;

/** What the services should hold, computed in memory by the domain libraries from the same file. */

/** The file's rows whose CustomerID cell is the id, counted from the CSV alone (no platform code). */
function rowsOfCustomer(text: string, customerId: string): number {
  const [header, ...rows] = parse(text, { relax_column_count: true }) as string[][];
  const column = (header ?? []).indexOf('CustomerID');
  if (column < 0) throw new Error('the sample has no CustomerID column');
  return rows.filter((fields) => (fields[column] ?? '').trim().replace(/\.0+$/, '') === customerId).length;
}

const SERVICES: readonly ServiceName[] = ['ingest', 'rfm', 'clustering', 'profiling'];
const TEXT_TYPES = new Set(['char', 'varchar', 'text', 'mediumtext', 'longtext']);

/**
 * Every row of a service's database that names the customer: a text column equal to the id, or a
 * text or JSON column holding it as a JSON string ("17850") or as a CSV field (,17850,). Every table
 * is scanned, those added later included.
 */
async function rowsNaming(connection: Connection, database: string, customerId: string): Promise<string[]> {
  const [columns] = (await connection.query(
    'SELECT table_name AS t, column_name AS c, data_type AS d FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position',
    [database],
  )) as unknown as [{ t: string; c: string; d: string }[]];
  const found: string[] = [];
  for (const { t, c, d } of columns) {
    if (!TEXT_TYPES.has(d) || t === 'migrations') continue;
    const [rows] = (await connection.query(`SELECT COUNT(*) AS n FROM \`${t}\` WHERE \`${c}\` = ? OR \`${c}\` LIKE ? OR \`${c}\` LIKE ?`, [
      customerId,
      `%"${customerId}"%`,
      `%,${customerId},%`,
    ])) as unknown as [{ n: number | string }[]];
    if (Number(rows[0]?.n) > 0) found.push(`${database}.${t}.${c}: ${Number(rows[0]?.n)} row(s)`);
  }
  return found;
}

describe('erasing a customer (GDPR art. 17) through the gateway', () => {
  let platform: RunningPlatform;
  const connections = new Map<ServiceName, { connection: Connection; settings: DatabaseSettings }>();
  const expected = expectedFromCsv(csv);
  const accepted = expected.lines.filter((l) => l.customerId !== null).length;
  // The customer with the most purchase invoices in this slice (several invoices, a cluster and a segment).
  const customer = [...expected.customers].sort((a, b) => b.frequency - a.frequency || a.customerId.localeCompare(b.customerId))[0]!;
  const customerId = customer.customerId;
  const customerRows = rowsOfCustomer(csv, customerId);
  const eraseMutation = 'mutation($id: ID!) { eraseCustomer(id: $id) { customerId requested userErrors { field code message } } }';
  const customerQuery = 'query($id: ID!) { customer(id: $id) { country rfm { frequency } cluster { cluster } segment { name } } }';
  let metricsBefore: Record<string, unknown>[] = [];

  const db = (service: ServiceName): Connection => {
    const entry = connections.get(service);
    if (!entry) throw new Error(`no connection to the ${service} database`);
    return entry.connection;
  };
  const otherMetrics = async (): Promise<Record<string, unknown>[]> => {
    const [rows] = (await db('rfm').query(
      'SELECT customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli FROM customer_metrics WHERE customer_id <> ? ORDER BY customer_id',
      [customerId],
    )) as unknown as [Record<string, unknown>[]];
    return rows;
  };
  const everywhere = async (): Promise<string[]> =>
    (await Promise.all(SERVICES.map((service) => rowsNaming(db(service), connections.get(service)!.settings.database, customerId)))).flat();
  const scrape = async (service: 'ingest' | 'rfm' | 'clustering' | 'profiling'): Promise<string> => (await fetch(platform.subgraphUrls[service].replace(/\/graphql$/, '/metrics'))).text();
  /** The sum of a metric's series whose labels match. */
  const total = (text: string, name: string, labels: RegExp): number =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) && labels.test(line))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  const topicLabel = (topic: string) => new RegExp(`topic="[^"]*${topic.replace(/\./g, '\\.')}"`);
  /** Waits until a service has handled at least as many events of a topic as its producer published there. */
  const caughtUp = (producer: 'ingest' | 'rfm' | 'clustering', consumer: 'rfm' | 'clustering' | 'profiling', topic: string) =>
    waitFor(`the ${consumer} service to handle everything on ${topic}`, async () => {
      const published = total(await scrape(producer), 'seg_kafka_events_published_total', topicLabel(topic));
      const text = await scrape(consumer);
      return published > 0 && total(text, 'seg_kafka_events_handled_total', topicLabel(topic)) >= published && total(text, 'seg_kafka_consumer_lag', topicLabel(topic)) === 0 ? true : undefined;
    });

  type Job = { id: string; status: string; linesRead: number; accepted: number; rejected: number; withoutCustomer: number; erased: number };
  const importFile = async (): Promise<Job> => {
    const started = await graphql<{ startImport: { job: { id: string } | null; userErrors: unknown[] } }>(
      platform.gatewayUrl,
      platform.keys.admin,
      'mutation($p: String!) { startImport(path: $p) { job { id } userErrors { code message } } }',
      { p: join(platform.importDir, 'december.csv') },
    );
    expect(started.data?.startImport.userErrors).toEqual([]);
    const id = started.data?.startImport.job?.id as string;
    return waitFor('the import to finish', async () => {
      const r = await graphql<{ importJob: Job }>(platform.gatewayUrl, platform.keys.viewer, 'query($id: ID!) { importJob(id: $id) { id status linesRead accepted rejected withoutCustomer erased } }', { id });
      return r.data?.importJob.status === 'RUNNING' ? undefined : r.data?.importJob;
    });
  };

  beforeAll(async () => {
    platform = await startPlatform(5300);
    writeFileSync(join(platform.importDir, 'december.csv'), csv);
    for (const service of SERVICES) {
      const settings = platform.databases[service];
      connections.set(service, { settings, connection: await createConnection({ host: settings.host, port: settings.port, user: settings.user, password: settings.password, database: settings.database, timezone: 'Z' }) });
    }
  });
  afterAll(async () => {
    await Promise.all([...connections.values()].map(({ connection }) => connection.end()));
    await platform?.stop();
  });

  it('imports the slice and segments every customer, the one to erase included', async () => {
    expect(customerRows).toBeGreaterThan(10);
    const job = await importFile();
    expect(job).toMatchObject({ status: 'COMPLETED', linesRead: 6_000, accepted, erased: 0 });
    await waitForEveryoneSegmented(platform, expected.customers.length);
    await waitFor(
      'every customer to be segmented',
      async () => {
        const r = await graphql<{ rfmSummary: { customers: number }; segments: { size: number }[] }>(platform.gatewayUrl, platform.keys.viewer, '{ rfmSummary { customers } segments { size } }');
        const segmented = r.data?.segments.reduce((sum, s) => sum + s.size, 0);
        return r.data?.rfmSummary.customers === expected.customers.length && segmented === expected.customers.length ? true : undefined;
      },
      120_000,
      500,
    );
    type Answer = { customer: { country: string; rfm: { frequency: number } | null; cluster: { cluster: number } | null; segment: { name: string } | null } | null };
    const answer = await waitFor('the customer\'s segment', async () => {
      const r = await graphql<Answer>(platform.gatewayUrl, platform.keys.viewer, customerQuery, { id: customerId });
      return r.data?.customer?.segment && r.data.customer.cluster ? r.data.customer : undefined;
    });
    expect(answer).toMatchObject({ country: customer.country, rfm: { frequency: customer.frequency } });
    // Every service holds the customer now: the check below is not vacuous. (A model's metrics,
    // whose projection names customers, are stored a moment after the model: hence the wait.)
    const tables = ['ingest.customers', 'rfm.transaction_lines', 'rfm.customer_metrics', 'clustering.customer_features', 'clustering.customer_assignments', 'clustering.segmentation_models', 'profiling.customer_segments'];
    const holds = (rows: readonly string[], table: string) => {
      const [service, name] = table.split('.') as [ServiceName, string];
      return rows.some((row) => row.startsWith(`${connections.get(service)!.settings.database}.${name}.`));
    };
    const holding = await waitFor('every service to hold the customer', async () => {
      const rows = await everywhere();
      return tables.every((table) => holds(rows, table)) ? rows : undefined;
    }, 30_000, 250).catch(async () => everywhere());
    for (const table of tables) expect([table, holds(holding, table)]).toEqual([table, true]);
    metricsBefore = await otherMetrics();
    expect(metricsBefore).toHaveLength(expected.customers.length - 1);
  });

  it('lets only an admin erase, and refuses an empty or too long id', async () => {
    for (const key of [platform.keys.viewer, platform.keys.marketer]) {
      const response = await graphql(platform.gatewayUrl, key, eraseMutation, { id: customerId });
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    for (const id of ['', 'x'.repeat(65)]) {
      const response = await graphql<{ eraseCustomer: unknown }>(platform.gatewayUrl, platform.keys.admin, eraseMutation, { id });
      expect(response.data?.eraseCustomer).toEqual({ customerId: null, requested: false, userErrors: [expect.objectContaining({ field: ['id'], code: 'INVALID' })] });
    }
    // Nothing was erased by the refused calls.
    const [rows] = (await db('ingest').query('SELECT COUNT(*) AS n FROM customer_erasures')) as unknown as [{ n: number }[]];
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('erases the customer in every service: the gateway answers null and no database holds a row naming them', async () => {
    const response = await graphql<{ eraseCustomer: unknown }>(platform.gatewayUrl, platform.keys.admin, eraseMutation, { id: customerId });
    expect(response.errors).toBeUndefined();
    expect(response.data?.eraseCustomer).toEqual({ customerId, requested: true, userErrors: [] });

    // On a timeout, the message names the rows left.
    await waitFor(
      'every service to delete the customer',
      async () => {
        const left = await everywhere();
        if (left.length > 0) throw new Error(`still naming the customer: ${left.join('; ')}`);
        return true;
      },
      60_000,
      500,
    );
    const answer = await graphql(platform.gatewayUrl, platform.keys.viewer, customerQuery, { id: customerId });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ customer: null });

    // Ingest keeps a digest of the id, when and by which role; not the id.
    const [erasures] = (await db('ingest').query('SELECT LOWER(HEX(customer_digest)) AS digest, requested_by, pending_customer_id FROM customer_erasures')) as unknown as [Record<string, unknown>[]];
    expect(erasures).toEqual([{ digest: createHash('sha256').update(customerId).digest('hex'), requested_by: 'admin', pending_customer_id: null }]);
  });

  it('leaves every other customer\'s metrics exactly as they were', async () => {
    expect(await otherMetrics()).toEqual(metricsBefore);
  });

  it('drops the customer\'s lines when the same file is imported again, counting them, and the customer stays erased', async () => {
    const job = await importFile();
    expect(job).toMatchObject({
      status: 'COMPLETED',
      linesRead: 6_000,
      erased: customerRows,
      accepted: accepted - customerRows,
      rejected: 6_000 - expected.lines.length,
    });
    expect(total(await scrape('ingest'), 'seg_ingest_lines_erased_total', /source="csv"/)).toBe(customerRows);

    // The second import's lines went all the way through before the checks.
    await caughtUp('ingest', 'rfm', 'seg.ingest.transaction-line.v3');
    await caughtUp('rfm', 'clustering', 'seg.rfm.customer-metrics-changed.v1');
    await caughtUp('clustering', 'profiling', 'seg.clustering.customer-segment-assigned.v1');
    expect(total(await scrape('ingest'), 'seg_ingest_lines_accepted_total', /source="csv"/)).toBe(accepted + accepted - customerRows);
    expect(total(await scrape('rfm'), 'seg_rfm_lines_received_total', /service="rfm-service"/)).toBeGreaterThanOrEqual(accepted + accepted - customerRows);
    expect(await everywhere()).toEqual([]);
    expect((await graphql(platform.gatewayUrl, platform.keys.viewer, customerQuery, { id: customerId })).data).toEqual({ customer: null });
    expect(await otherMetrics()).toEqual(metricsBefore);
  });

  it('drops the customer\'s lines sent through the API and on the raw-transaction topic, without dead letters', async () => {
    const line = { invoiceNo: '999301', stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 2, invoiceDate: '2010-12-31 10:00:00', unitPrice: '2.55', customerId, country: customer.country };
    const api = await graphql<{ recordTransactions: unknown }>(
      platform.gatewayUrl,
      platform.keys.admin,
      'mutation($lines: [TransactionInput!]!) { recordTransactions(lines: $lines) { accepted erased lineIds userErrors { code } } }',
      { lines: [line] },
    );
    expect(api.data?.recordTransactions).toEqual({ accepted: 0, erased: 1, lineIds: [], userErrors: [] });

    const kafka = new Kafka({ clientId: 'e2e-erasure-shop', brokers: [...platform.kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const event = RawTransactionSubmittedV1.create({ ...line, invoiceNo: '999302' }, { correlationId: 'erasure-shop-1', producer: 'e2e-erasure-shop' });
      await producer.send({ topic: platform.kafka.topicPrefix + RawTransactionSubmittedV1.topic.name, messages: [{ key: customerId, value: JSON.stringify(event) }] });
    } finally {
      await producer.disconnect();
    }
    const ingest = await waitFor('ingest to drop the streamed line', async () => {
      const text = await scrape('ingest');
      return total(text, 'seg_ingest_lines_erased_total', /source="stream"/) === 1 ? text : undefined;
    });
    expect(total(ingest, 'seg_ingest_lines_erased_total', /source="api"/)).toBe(1);
    expect(total(ingest, 'seg_kafka_dead_letters_total', /raw-transaction/)).toBe(0);
    expect(await everywhere()).toEqual([]);
  });
});
