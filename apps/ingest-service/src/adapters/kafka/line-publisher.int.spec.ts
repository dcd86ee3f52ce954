// Which lane accepted lines go on, through the real adapters (ingest database, real broker, a topic
// prefix of this file's own): a CSV import's lines on the import topic, lines of the
// recordTransactions mutation and of the shop's raw-transaction topic on the live topic.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  ALL_TOPICS,
  ImportLinesEndedV1,
  LiveTransactionLineRecordedV3,
  RawTransactionSubmittedV1,
  TOPICS,
  TransactionLineRecordedV3,
  linesOf,
  type TransactionLineData,
} from '@seg/contracts-events';
import { openCsvSource } from '@seg/platform-csv';
import { connectProducer, createKafka, ensureTopics } from '@seg/platform-kafka';
import { createLogger } from '@seg/platform-observability';
import { testKafkaSettings, uniqueSuffix, waitFor, WORKSPACE_ROOT, type TestDatabase, createMigratedTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { importPathChecker } from '../import-path';
import { CustomerDirectoryRepository } from '../persistence/customer-directory.repository';
import { ImportJobRepository, type ImportJobRecord } from '../persistence/import-job.repository';
import { ImportJobs } from '../../application/import-jobs';
import { recordTransactions, type RecordTransactionsPorts } from '../../application/record-transactions';
import { consumeRawTransactions } from '../../application/consume-raw-transactions';
import { createImportEndPublisher, createLinePublisher } from './line-publisher';

const SAMPLE = join(WORKSPACE_ROOT, 'data', 'sample', 'online_retail_2010-12_2011-02.csv.gz');
const sampleText = gunzipSync(readFileSync(SAMPLE)).toString('utf8').split('\n');

interface Received {
  readonly topic: string;
  readonly key: string;
  readonly line: TransactionLineData;
}

describe('the lanes of accepted lines (real MariaDB + Kafka)', () => {
  const logger = createLogger('line-publisher-int-spec', 'silent');
  const settings = testKafkaSettings('line-publisher-int-spec');
  const importTopic = settings.topicPrefix + TOPICS.transactionLineV3.name;
  const liveTopic = settings.topicPrefix + TOPICS.liveTransactionLineV3.name;
  const root = mkdtempSync(join(tmpdir(), 'seg-ingest-lanes-'));
  let database: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let reader: Consumer | undefined;
  let customers: CustomerDirectoryRepository;
  const received: Received[] = [];
  /** Where each line of the import topic and each end-of-import marker landed. */
  const placed: { what: string; partition: number; offset: number }[] = [];

  /** How many messages a prefixed topic holds (the sum of its partitions' high watermarks). */
  const messagesOn = async (topic: string): Promise<number> => (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  /** The ports of live input as main.ts wires them, for one source. */
  const livePorts = (source: 'api' | 'stream'): RecordTransactionsPorts => ({ publishLines: createLinePublisher(producer, settings.topicPrefix, source), upsertCustomers: (lines) => customers.upsert(lines) });

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('ingest', migrations, logger));
    kafka = createKafka(settings, logger);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, ALL_TOPICS, settings.topicPrefix);
    producer = await connectProducer(kafka, settings, logger);
    customers = new CustomerDirectoryRepository(dataSource);

    // Reads both lanes, each with its contract.
    reader = kafka.consumer({ groupId: `line-lanes-reader-${uniqueSuffix()}`, maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [importTopic, liveTopic], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, partition, message }) => {
        const ended = topic === importTopic ? ImportLinesEndedV1.decode(message.value) : undefined;
        if (ended?.ok) {
          placed.push({ what: `end ${ended.value.data.importJobId} ${ended.value.data.partition}/${ended.value.data.partitions}`, partition, offset: Number(message.offset) });
          return;
        }
        const decoded = (topic === liveTopic ? LiveTransactionLineRecordedV3 : TransactionLineRecordedV3).decode(message.value);
        if (!decoded.ok) throw new Error(decoded.error.reason);
        for (const line of linesOf([decoded.value])) received.push({ topic, key: message.key?.toString('utf8') ?? '', line });
        if (topic === importTopic) placed.push({ what: 'lines', partition, offset: Number(message.offset) });
      },
    });
  }, 30_000);

  afterAll(async () => {
    await reader?.disconnect();
    await producer?.disconnect();
    if (admin) {
      await admin.deleteTopics({ topics: ALL_TOPICS.map((t) => settings.topicPrefix + t.name) }).catch(() => undefined);
      await admin.disconnect();
    }
    await dataSource?.destroy();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('an imported line goes on the import topic; a recordTransactions line and a streamed one on the live topic', async () => {
    // The import: the sample's first three lines (customer 17850).
    const path = join(root, 'three.csv');
    writeFileSync(path, sampleText.slice(0, 4).join('\n') + '\n');
    const jobs = new ImportJobRepository(dataSource);
    const imports = new ImportJobs<ImportJobRecord>({
      jobs,
      checkPath: importPathChecker([root]),
      open: openCsvSource,
      ports: {
        publishLines: createLinePublisher(producer, settings.topicPrefix, 'csv'),
        recordProgress: (jobId, rejections, counters) => jobs.recordProgress(jobId, rejections, counters),
        upsertCustomers: (lines) => customers.upsert(lines),
      },
      endLines: createImportEndPublisher(kafka, producer, settings.topicPrefix),
      batchSize: 100,
      logger,
    });
    const started = await imports.start(path);
    expect(started.userErrors).toEqual([]);
    const jobId = (started.job as ImportJobRecord).id;
    await imports.drain();
    expect(await jobs.get(jobId)).toMatchObject({ status: 'COMPLETED', accepted: 3 });

    // A line through the recordTransactions use case (as its resolver calls it) ...
    const api = await recordTransactions(
      [{ invoiceNo: '999001', stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 3, invoiceDate: '2010-12-31 10:00:00', unitPrice: '2.55', customerId: '13047', country: 'United Kingdom' }],
      'request-1',
      livePorts('api'),
    );
    expect(api).toMatchObject({ accepted: 1, userErrors: [] });
    // ... and one from the shop's raw-transaction topic (as the ingest consumer hands it over).
    const raw = RawTransactionSubmittedV1.create(
      { invoiceNo: '999002', stockCode: '22423', description: 'REGENCY CAKESTAND 3 TIER', quantity: 1, invoiceDate: '2010-12-31 11:00:00', unitPrice: '12.75', customerId: '12583', country: 'France' },
      { correlationId: 'shop-1', producer: 'line-publisher-int-spec' },
    );
    expect(await consumeRawTransactions([raw], livePorts('stream'), () => undefined)).toBe(1);

    await waitFor('the five lines', async () => (received.length >= 5 ? true : undefined), 20_000);
    const onImport = received.filter((r) => r.topic === importTopic);
    const onLive = received.filter((r) => r.topic === liveTopic);
    expect(onImport.map(({ key, line }) => ({ key, customerId: line.customerId, source: line.source }))).toEqual(
      [2, 3, 4].map((lineNumber) => ({ key: '17850', customerId: '17850', source: { kind: 'csv', importJobId: jobId, lineNumber } })),
    );
    expect(onLive.map(({ key, line }) => ({ key, invoiceNo: line.invoiceNo, source: line.source })).sort((a, b) => a.invoiceNo.localeCompare(b.invoiceNo))).toEqual([
      { key: '13047', invoiceNo: '999001', source: { kind: 'api', importJobId: null, lineNumber: null } },
      { key: '12583', invoiceNo: '999002', source: { kind: 'stream', importJobId: null, lineNumber: null } },
    ]);
    expect(onLive.map((r) => r.line.lineId)).toContain(api.lineIds[0]);
    // Nothing else on either topic: one event for the import's customer and the end of the
    // import in every partition (a marker may come twice: the producer delivers at least once,
    // and consumers count partitions), one event per live line.
    const partitions = TOPICS.transactionLineV3.partitions;
    expect(await messagesOn(liveTopic)).toBe(2);
    await waitFor('the end of the import in every partition', async () => (new Set(placed.filter((p) => p.what.startsWith('end')).map((p) => p.partition)).size >= partitions ? true : undefined), 20_000);
    expect(await messagesOn(importTopic)).toBe(placed.length);
    expect(placed.filter((p) => p.what === 'lines')).toHaveLength(1);
    const ends = placed.filter((p) => p.what.startsWith('end'));
    expect([...new Set(ends.map((p) => `${p.partition} ${p.what}`))].sort()).toEqual(Array.from({ length: partitions }, (_, partition) => `${partition} end ${jobId} ${partition}/${partitions}`).sort());
    // In the partition of the customer's lines, the marker comes after them.
    const lines = placed.find((p) => p.what === 'lines')!;
    expect(ends.find((p) => p.partition === lines.partition)!.offset).toBeGreaterThan(lines.offset);
  }, 30_000);
});
