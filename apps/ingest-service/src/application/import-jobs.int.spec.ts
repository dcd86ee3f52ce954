// A CSV import end to end through the real adapters: the file on disk, the ingest database
// (import jobs, rejected rows, customers) and the real broker (a topic prefix of this file's own).
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { ALL_TOPICS, ImportLinesEndedV1, TOPICS, TransactionLineRecordedV3, linesOf, type TransactionLineData } from '@seg/contracts-events';
import { normaliseRow, resolveHeader, type TransactionLine } from '@seg/domain-transactions';
import { connectProducer, createKafka, ensureTopics } from '@seg/platform-kafka';
import { openCsvSource } from '@seg/platform-csv';
import { createLogger } from '@seg/platform-observability';
import { testKafkaSettings, uniqueSuffix, waitFor, WORKSPACE_ROOT, type TestDatabase, createMigratedTestDatabase } from '@seg/testing';
import { migrations } from '../migrations';
import { importPathChecker } from '../adapters/import-path';
import { createImportEndPublisher, createLinePublisher } from '../adapters/kafka/line-publisher';
import { CustomerDirectoryRepository } from '../adapters/persistence/customer-directory.repository';
import { ImportJobRepository, type ImportJobRecord } from '../adapters/persistence/import-job.repository';
import { ImportJobs } from './import-jobs';

const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const sampleText = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n');
const HEADER = sampleText[0]!;
/** Line n of the sample file (1 = header), as written there. */
const sampleLine = (n: number): string => sampleText[n - 1]!;
const withField = (line: string, index: number, value: string): string =>
  line
    .split(',')
    .map((field, i) => (i === index ? value : field))
    .join(',');

type Expectation = 'accepted' | 'withoutCustomer' | 'BAD_QUANTITY' | 'BAD_DATE' | 'UNREADABLE_ROW' | 'WRONG_FIELD_COUNT';

// Real sample lines (2..31 are seven customers' first invoices; 1445 has no customer id) with bad
// rows made from real lines by breaking one thing each, spread among the good ones.
const entries: { text: string; expect: Expectation }[] = [
  ...[2, 3, 4, 5].map((n) => ({ text: sampleLine(n), expect: 'accepted' as const })),
  { text: withField(sampleLine(2), 3, 'six'), expect: 'BAD_QUANTITY' },
  ...[6, 7, 8].map((n) => ({ text: sampleLine(n), expect: 'accepted' as const })),
  { text: sampleLine(1445), expect: 'withoutCustomer' },
  ...[9, 10, 11, 12, 13].map((n) => ({ text: sampleLine(n), expect: 'accepted' as const })),
  { text: withField(sampleLine(3), 4, '2010-12-32 08:26:00'), expect: 'BAD_DATE' },
  ...[14, 15, 16].map((n) => ({ text: sampleLine(n), expect: 'accepted' as const })),
  { text: withField(sampleLine(4), 2, 'CREAM "CUPID" HEARTS COAT HANGER'), expect: 'UNREADABLE_ROW' },
  ...[17, 18, 19, 20, 21, 22].map((n) => ({ text: sampleLine(n), expect: 'accepted' as const })),
  { text: sampleLine(5).split(',').slice(0, 7).join(','), expect: 'WRONG_FIELD_COUNT' },
  ...[23, 24, 25, 26, 27, 28, 29, 30, 31].map((n) => ({ text: sampleLine(n), expect: 'accepted' as const })),
];
/** File line numbers: the header is line 1. */
const numbered = entries.map((entry, i) => ({ ...entry, lineNumber: i + 2 }));

/** What the accepted lines must look like, normalised independently of the import path. */
function expectedLines(): { lineNumber: number; line: TransactionLine }[] {
  const header = resolveHeader(HEADER.split(','));
  if (!header.ok) throw new Error(header.error.message);
  return numbered
    .filter((e) => e.expect === 'accepted')
    .map((e) => {
      const [fields] = parse(e.text) as string[][];
      const result = normaliseRow(fields!, header.value, e.lineNumber);
      if (!result.ok) throw new Error(`sample line ${e.lineNumber} does not normalise: ${result.error.reason}`);
      return { lineNumber: e.lineNumber, line: result.value };
    });
}

describe('ImportJobs with the real adapters (MariaDB + Kafka)', () => {
  const logger = createLogger('import-jobs-int-spec', 'silent');
  const settings = testKafkaSettings('import-jobs-int-spec');
  const lineTopic = settings.topicPrefix + TOPICS.transactionLineV3.name;
  const root = mkdtempSync(join(tmpdir(), 'seg-ingest-int-'));
  const outside = mkdtempSync(join(tmpdir(), 'seg-ingest-outside-'));
  let database: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let jobs: ImportJobRepository;
  let customers: CustomerDirectoryRepository;
  let imports: ImportJobs<ImportJobRecord>;
  const readers: Consumer[] = [];

  /** Sum of the high watermarks of the prefixed transaction-line topic: how many messages it holds. */
  const publishedCount = async (): Promise<number> =>
    (await admin.fetchTopicOffsets(lineTopic)).reduce((sum, partition) => sum + Number(partition.high), 0);

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('ingest', migrations, logger));
    kafka = createKafka(settings, logger);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, ALL_TOPICS, settings.topicPrefix);
    producer = await connectProducer(kafka, settings, logger);
    jobs = new ImportJobRepository(dataSource);
    customers = new CustomerDirectoryRepository(dataSource);
    imports = new ImportJobs<ImportJobRecord>({
      jobs,
      checkPath: importPathChecker([root]),
      open: openCsvSource,
      ports: {
        publishLines: createLinePublisher(producer, settings.topicPrefix, 'csv'),
        recordProgress: (jobId, rejections, counters) => jobs.recordProgress(jobId, rejections, counters),
        upsertCustomers: (lines) => customers.upsert(lines),
      },
      endLines: createImportEndPublisher(kafka, producer, settings.topicPrefix),
      // Small batches, so that bad rows fall on both sides of batch boundaries.
      batchSize: 4,
      logger,
    });
  }, 30_000);

  afterAll(async () => {
    await imports?.drain();
    await Promise.all(readers.map((reader) => reader.disconnect()));
    await producer?.disconnect();
    if (admin) {
      await admin.deleteTopics({ topics: ALL_TOPICS.map((t) => settings.topicPrefix + t.name) }).catch(() => undefined);
      await admin.disconnect();
    }
    await dataSource?.destroy();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }, 30_000);

  it('imports good rows around bad ones, keeps every rejected row, publishes the good rows keyed by customer', async () => {
    const path = join(root, 'mixed.csv');
    writeFileSync(path, [HEADER, ...entries.map((e) => e.text)].join('\n') + '\n');
    const expected = expectedLines();
    const count = (kind: Expectation) => entries.filter((e) => e.expect === kind).length;

    const started = await imports.start(path);
    expect(started.userErrors).toEqual([]);
    const jobId = (started.job as ImportJobRecord).id;
    await imports.drain();

    const job = await jobs.get(jobId);
    expect(job).toMatchObject({
      source: path,
      status: 'COMPLETED',
      error: null,
      linesRead: entries.length,
      accepted: count('accepted'),
      rejected: entries.length - count('accepted') - count('withoutCustomer'),
      withoutCustomer: count('withoutCustomer'),
      bytesRead: statSync(path).size,
    });
    expect(job?.finishedAt).toBeInstanceOf(Date);

    const rejected = await jobs.rejectedRows(jobId, 100);
    const bad = numbered.filter((e) => e.expect !== 'accepted' && e.expect !== 'withoutCustomer');
    expect(rejected.map((r) => ({ lineNumber: r.lineNumber, code: r.code }))).toEqual(bad.map((e) => ({ lineNumber: e.lineNumber, code: e.expect })));
    for (const row of rejected) {
      const source = numbered.find((e) => e.lineNumber === row.lineNumber)!;
      expect(row.reason.length).toBeGreaterThan(0);
      // A row the CSV parser could not split keeps the text read up to the problem.
      if (row.code === 'UNREADABLE_ROW') expect(source.text.startsWith(row.raw ?? '<none>') && (row.raw ?? '').length > 10).toBe(true);
      else expect(row.raw).toBe(source.text);
    }
    expect(rejected.find((r) => r.code === 'BAD_QUANTITY')?.reason).toContain('"six"');
    expect(rejected.find((r) => r.code === 'BAD_DATE')?.reason).toContain('2010-12-32 08:26:00');
    expect(rejected.find((r) => r.code === 'WRONG_FIELD_COUNT')?.reason).toBe('expected 8 fields, found 7');

    // Every accepted line reached the broker, keyed by its customer, once.
    // Each message holds one customer's lines of one batch (batches of 4 here).
    const received: { key: string; line: TransactionLineData }[] = [];
    let messages = 0;
    const ends = new Set<number>();
    let endMessages = 0;
    const reader = kafka.consumer({ groupId: `import-jobs-reader-${uniqueSuffix()}`, maxWaitTimeInMs: 200 });
    readers.push(reader);
    await reader.connect();
    await reader.subscribe({ topic: lineTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ partition, message }) => {
        const ended = ImportLinesEndedV1.decode(message.value);
        if (ended.ok && ended.value.data.importJobId === jobId) {
          ends.add(partition);
          endMessages++;
          return;
        }
        const decoded = TransactionLineRecordedV3.decode(message.value);
        if (!decoded.ok) throw new Error(decoded.error.reason);
        messages++;
        for (const line of linesOf([decoded.value])) received.push({ key: message.key?.toString('utf8') ?? '', line });
      },
    });
    await waitFor('the published lines', async () => (received.length >= expected.length ? true : undefined), 20_000);
    const published = received
      .map(({ key, line }) => ({ key, lineNumber: line.source.lineNumber, lineId: line.lineId, importJobId: line.source.importJobId, customerId: line.customerId }))
      .sort((a, b) => (a.lineNumber ?? 0) - (b.lineNumber ?? 0));
    expect(published).toEqual(
      expected.map(({ lineNumber, line }) => ({ key: line.customerId, lineNumber, lineId: line.lineId, importJobId: jobId, customerId: line.customerId })),
    );
    expect(messages).toBeLessThan(expected.length);
    // Then the end of the import in every partition (a marker may come twice: the producer
    // delivers at least once, and consumers count partitions), and nothing else.
    await waitFor('the end of the import in every partition', async () => (ends.size >= TOPICS.transactionLineV3.partitions && (await publishedCount()) === messages + endMessages ? true : undefined), 20_000);
    expect(endMessages).toBeGreaterThanOrEqual(TOPICS.transactionLineV3.partitions);
    // An import's lines keep to the import lane: nothing on the live lane.
    const liveTopic = settings.topicPrefix + TOPICS.liveTransactionLineV3.name;
    expect((await admin.fetchTopicOffsets(liveTopic)).reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(0);

    // The customer directory: first and last seen over the customer's accepted lines.
    const first = expected[0]!.line;
    const ofCustomer = expected.map((e) => e.line).filter((l) => l.customerId === first.customerId);
    const dates = ofCustomer.map((l) => l.invoiceDate).sort();
    const stored = await customers.get(first.customerId!);
    expect(stored).toEqual({
      id: first.customerId,
      country: ofCustomer[ofCustomer.length - 1]!.country,
      firstSeenAt: new Date(dates[0]!),
      lastSeenAt: new Date(dates[dates.length - 1]!),
    });
    expect(await customers.get('no-such-customer')).toBeNull();
  }, 30_000);

  it('refuses a file without a required column at once, naming the column, and publishes nothing', async () => {
    const before = await publishedCount();
    const header = HEADER.split(',').filter((name) => name !== 'Quantity');
    const path = join(root, 'no-quantity.csv');
    writeFileSync(path, [header.join(','), ...[2, 3, 4].map((n) => sampleLine(n).split(',').filter((_, i) => i !== 3).join(','))].join('\n') + '\n');

    const started = await imports.start(path);
    await imports.drain();
    expect(started.userErrors).toEqual([{ field: ['path'], code: 'MISSING_COLUMN', message: expect.stringContaining('"Quantity"') }]);
    expect(started.job).toMatchObject({ status: 'FAILED', error: expect.stringContaining('"Quantity"'), accepted: 0, linesRead: 0 });
    expect(await jobs.rejectedRows((started.job as ImportJobRecord).id, 10)).toEqual([]);
    expect(await publishedCount()).toBe(before);
  }, 20_000);

  it('refuses paths outside the import roots, and files it cannot read, without creating a job', async () => {
    const jobsBefore = (await jobs.list(100)).length;
    const elsewhere = join(outside, 'elsewhere.csv');
    writeFileSync(elsewhere, `${HEADER}\n${sampleLine(2)}\n`);
    symlinkSync(elsewhere, join(root, 'link-to-elsewhere.csv'));

    for (const path of [elsewhere, join(root, '..', 'seg-ingest-outside-escape.csv'), join(root, 'link-to-elsewhere.csv')]) {
      if (path.endsWith('escape.csv')) writeFileSync(path, `${HEADER}\n`);
      try {
        const started = await imports.start(path);
        expect(started).toEqual({ job: null, userErrors: [{ field: ['path'], code: 'PATH_NOT_ALLOWED', message: expect.stringContaining('outside the import folders') }] });
      } finally {
        if (path.endsWith('escape.csv')) rmSync(path, { force: true });
      }
    }
    expect((await imports.start(join(root, 'missing.csv'))).userErrors.map((e) => e.code)).toEqual(['FILE_NOT_READABLE']);
    expect((await imports.start(root)).userErrors.map((e) => e.code)).toEqual(['NOT_A_FILE']);
    expect((await jobs.list(100)).length).toBe(jobsBefore);
  }, 20_000);

  it('reads ISO-8859-1 and UTF-8 with a byte-order mark alike (product.md encodings), the £ intact in stored and published text', async () => {
    // A description of the sample (line 38250, invoice 539492, where the file spells the pound
    // sign `Â£`) on real lines of a customer: two with it, one of them with a bad quantity.
    const description = 'Dotcomgiftshop Gift Voucher £40.00';
    const lines = [withField(sampleLine(2), 2, description), sampleLine(3), sampleLine(4), withField(withField(sampleLine(5), 2, description), 3, 'six')];
    const text = [HEADER, ...lines].join('\n') + '\n';
    const header = resolveHeader(HEADER.split(','));
    if (!header.ok) throw new Error(header.error.message);
    const expected = lines.slice(0, 3).map((line, i) => {
      const result = normaliseRow(line.split(','), header.value, i + 2);
      if (!result.ok) throw new Error(result.error.reason);
      return { lineNumber: i + 2, lineId: result.value.lineId, description: result.value.description };
    });
    expect(expected[0]!.description).toBe(description);

    const jobIds: string[] = [];
    for (const [name, bytes] of [
      ['latin1.csv', Buffer.from(text, 'latin1')],
      ['utf8-bom.csv', Buffer.from(`\uFEFF${text}`, 'utf8')],
    ] as const) {
      const path = join(root, name);
      writeFileSync(path, bytes);
      const started = await imports.start(path);
      expect(started.userErrors).toEqual([]);
      const jobId = (started.job as ImportJobRecord).id;
      jobIds.push(jobId);
      await imports.drain();
      expect(await jobs.get(jobId)).toMatchObject({ status: 'COMPLETED', linesRead: 4, accepted: 3, rejected: 1, withoutCustomer: 0, bytesRead: bytes.length });
      expect(await jobs.rejectedRows(jobId, 10)).toEqual([{ lineNumber: 5, code: 'BAD_QUANTITY', reason: expect.stringContaining('"six"'), raw: lines[3] }]);
    }

    const received: TransactionLineData[] = [];
    const reader = kafka.consumer({ groupId: `import-jobs-encodings-${uniqueSuffix()}`, maxWaitTimeInMs: 200 });
    readers.push(reader);
    await reader.connect();
    await reader.subscribe({ topic: lineTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const decoded = TransactionLineRecordedV3.decode(message.value);
        if (decoded.ok && jobIds.includes(decoded.value.data.source.importJobId ?? '')) received.push(...linesOf([decoded.value]));
      },
    });
    await waitFor('the lines of both encodings', async () => (received.length >= 2 * expected.length ? true : undefined), 20_000);
    for (const jobId of jobIds) {
      const published = received
        .filter((line) => line.source.importJobId === jobId)
        .map((line) => ({ lineNumber: line.source.lineNumber, lineId: line.lineId, description: line.description }))
        .sort((a, b) => (a.lineNumber ?? 0) - (b.lineNumber ?? 0));
      expect(published).toEqual(expected);
    }
  }, 30_000);
});
