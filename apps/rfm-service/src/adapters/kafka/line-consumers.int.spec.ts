// The rfm service's two lanes against the real broker and MariaDB, through the functions main.ts
// uses (runRfmConsumers, recordLines, RfmRepository, createMetricsPublisher): a live line published
// after an import's backlog is stored while the backlog is still draining, and both lanes writing
// the same customers at once end with the metrics of all their lines, as aggregateCustomers
// (@seg/domain-rfm) computes them in memory.
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  ALL_TOPICS,
  CustomerMetricsChangedV1,
  ImportLinesEndedOnV2LinesV1,
  ImportLinesEndedV1,
  LiveCustomerMetricsChangedV1,
  LiveTransactionLineRecordedV2,
  TransactionLineRecordedV2,
  ImportMetricsEndedV1,
  LiveTransactionLineRecordedV3,
  TransactionLineRecordedV3,
  transactionLineEvents,
  type CustomerLine,
  type CustomerMetricsChanged,
  type TransactionLineData,
  type TransactionLinesRecorded,
} from '@seg/contracts-events';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { makeTransactionLine } from '@seg/domain-transactions';
import { connectProducer, createKafka, ensureTopics, publish, publishToEveryPartition } from '@seg/platform-kafka';
import { createLogger } from '@seg/platform-observability';
import { inList } from '@seg/platform-persistence';
import { testKafkaSettings, uniqueSuffix, waitFor, type TestDatabase, createMigratedTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { ImportChanges, recordLines } from '../../application/record-lines';
import { RfmRepository } from '../persistence/rfm.repository';
import { sampleLines } from '../../testing/sample-lines';
import { createImportEndForwarder, createMetricsPublisher } from './metrics-publisher';
import { runRfmConsumers, type BatchContext, type Lane, type RfmConsumers } from './line-consumers';


const byId = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

/** A seeded pseudo-random sequence (mulberry32), for a reproducible split. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sample line given to another customer (its identity recomputed, as ingest would compute it). */
const asCustomer = (l: TransactionLineData, customerId: string): TransactionLineData => {
  const { lineId: _lineId, customerId: _customerId, source, ...fields } = l;
  return { ...makeTransactionLine({ ...fields, customerId }), customerId, source };
};

const toCustomerLine = ({ source, customerId: _customerId, ...l }: TransactionLineData, customerId: string): CustomerLine => ({ ...l, customerId, lineNumber: source.lineNumber });

describe('rfm import and live lanes (real Kafka and MariaDB)', () => {
  const logger = createLogger('rfm-lanes-int-spec', 'silent');
  const settings = testKafkaSettings('rfm-lanes-int-spec');
  const suffix = uniqueSuffix();
  let database: TestDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumers: RfmConsumers | undefined;
  let metricsReader: Consumer | undefined;
  const published: CustomerMetricsChanged[] = [];
  /** Customers with a metric event on the live lane's metrics topic. */
  const livePublished = new Set<string>();
  const retries: string[] = [];
  /** The metrics topic as read, partition by partition: metric events by customer, import ends by job and line partition. */
  const metricsLog: { partition: number; offset: number; what: string }[] = [];
  /** The line partition each customer's lines came from (as the import lane's consumer saw it). */
  const linePartitionOf = new Map<string, number>();

  // What the handler saw: batches of each lane in flight, and how often one lane's batch started
  // while the other lane's batch of a same customer was running.
  const inFlight = new Map<Lane, ReadonlySet<string>>();
  /** Batches handed to the handler under the other lane's name (none expected). */
  let wrongLane = 0;
  let overlaps = 0;
  /**
   * A rendezvous for the second test: the first batch of each lane that holds `customer` waits
   * until the other lane's first such batch arrives, so that both transactions write the customer
   * at the same time (never for more than 30 s).
   */
  let gate: { customer: string; passed: Set<Lane>; waiting: Map<Lane, () => void>; met: boolean } | null = null;
  const passGate = async (lane: Lane, customers: ReadonlySet<string>): Promise<void> => {
    const g = gate;
    if (!g || g.passed.has(lane) || !customers.has(g.customer)) return;
    g.passed.add(lane);
    const release = g.waiting.get(lane === 'import' ? 'live' : 'import');
    if (release) {
      g.met = true;
      release();
      return;
    }
    await new Promise<void>((resolve) => {
      g.waiting.set(lane, resolve);
      setTimeout(resolve, 30_000).unref();
    });
  };

  const storedMetrics = async (customers: readonly string[]): Promise<CustomerMetrics[]> => {
    const repository = new RfmRepository(dataSource);
    const wanted = new Set(customers);
    return (await repository.allMetrics()).filter((m) => wanted.has(m.customerId)).sort(byId);
  };
  const countRows = async (table: string, customers: readonly string[]): Promise<number> => {
    const rows: { n: string | number }[] = await dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE customer_id IN (${inList(customers.length)})`, [...customers]);
    return Number(rows[0]?.n);
  };
  /** Publishes lines as ingest does: v3 events of one customer's lines, on the lane of their source. */
  const publishLines = async (lane: Lane, lines: readonly CustomerLine[], linesPerEvent = 1_000): Promise<void> => {
    const contract = lane === 'import' ? TransactionLineRecordedV3 : LiveTransactionLineRecordedV3;
    const source = lane === 'import' ? ({ kind: 'csv', importJobId: `job-${suffix}` } as const) : ({ kind: 'api', importJobId: null } as const);
    // Batches of 5,000 lines, as ingest publishes an import.
    for (let start = 0; start < lines.length; start += 5_000) {
      const events = transactionLineEvents(lines.slice(start, start + 5_000), source, { correlationId: `${lane}-${suffix}`, producer: 'rfm-lanes-int-spec' }, linesPerEvent);
      await publish(producer, contract, events.map((event) => ({ key: event.data.customerId, event })), settings.topicPrefix);
    }
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('rfm', migrations, logger));
    kafka = createKafka(settings, logger);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, ALL_TOPICS, settings.topicPrefix);
    producer = await connectProducer(kafka, settings, logger);

    // The handler as main.ts builds it, watched by lane (import lines come from CSV, live ones from the API).
    const repository = new RfmRepository(dataSource, (code) => retries.push(code));
    const publishMetrics = { import: createMetricsPublisher(producer, settings.topicPrefix, 'import'), live: createMetricsPublisher(producer, settings.topicPrefix, 'live') };
    const forwardImportEnd = createImportEndForwarder(kafka, producer, settings.topicPrefix);
    const importChanges = new ImportChanges();
    const handleLines = async (events: readonly TransactionLinesRecorded[], context: BatchContext, lane: Lane): Promise<void> => {
      // Each lane's consumer hands over the lines of its own lane only.
      if (!events.every((event) => (event.data.source.kind === 'csv') === (lane === 'import'))) wrongLane++;
      if (lane === 'import') for (const event of events) linePartitionOf.set(event.data.customerId, context.partition);
      const customers = new Set(events.map((event) => event.data.customerId));
      await passGate(lane, customers);
      const other = inFlight.get(lane === 'import' ? 'live' : 'import');
      if (other && [...customers].some((customer) => other.has(customer))) overlaps++;
      inFlight.set(lane, customers);
      try {
        const { newLines } = await recordLines(events, { recordLines: (batch) => repository.recordLines(batch), latestPurchase: () => repository.latestPurchase(), publishMetrics: publishMetrics[lane] });
        importChanges.note(events, context.partition, newLines);
      } finally {
        inFlight.delete(lane);
      }
    };
    consumers = await runRfmConsumers({
      kafka,
      producer,
      logger,
      settings,
      groups: { main: `rfm-lanes-${suffix}`, live: `rfm-lanes-${suffix}-live` },
      // The smallest fetch the service accepts (SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION): many small
      // batches, so that an import's backlog takes a while to drain.
      fetch: { maxBytesPerPartition: 64 * 1024, maxBytes: 10 * 1024 * 1024 },
      handleLines: (events, context, lane) => handleLines(events, context, lane),
      eraseCustomers: async () => undefined,
      endImports: (events, context) => forwardImportEnd(events, context.partition, (job) => importChanges.take(job, context.partition)),
    });

    metricsReader = kafka.consumer({ groupId: `rfm-lanes-metrics-${suffix}`, maxWaitTimeInMs: 100 });
    await metricsReader.connect();
    // Both lanes' metric topics: each lane publishes on its own.
    await metricsReader.subscribe({ topics: [settings.topicPrefix + CustomerMetricsChangedV1.topic.name, settings.topicPrefix + LiveCustomerMetricsChangedV1.topic.name], fromBeginning: true });
    await metricsReader.run({
      eachMessage: async ({ topic, partition, message }) => {
        const offset = Number(message.offset);
        if (topic.endsWith(LiveCustomerMetricsChangedV1.topic.name)) {
          const live = LiveCustomerMetricsChangedV1.decode(message.value);
          if (live.ok) {
            published.push(live.value);
            livePublished.add(live.value.data.customerId);
          }
          return;
        }
        const ended = ImportMetricsEndedV1.decode(message.value);
        if (ended.ok) {
          const { importJobId, linePartition, linePartitions, partition: metricsPartition, partitions, changed } = ended.value.data;
          metricsLog.push({ partition, offset, what: `end ${importJobId} ${linePartition}/${linePartitions} ${metricsPartition}/${partitions}${changed ? '' : ' unchanged'}` });
          return;
        }
        const decoded = CustomerMetricsChangedV1.decode(message.value);
        if (decoded.ok) {
          published.push(decoded.value);
          metricsLog.push({ partition, offset, what: `metrics ${decoded.value.data.customerId}` });
        }
      },
    });
    const running = consumers;
    await waitFor('both lanes to join their groups', async () => (running.readiness().ready ? true : undefined), 30_000, 50);
  }, 60_000);

  afterAll(async () => {
    await consumers?.disconnect();
    await metricsReader?.disconnect();
    await producer?.disconnect();
    if (admin) {
      await admin.deleteTopics({ topics: ALL_TOPICS.map((t) => settings.topicPrefix + t.name) }).catch(() => undefined);
      await admin.disconnect();
    }
    await dataSource?.destroy();
    await database?.drop();
  }, 60_000);

  it('runs two consumers in groups of their own, both in readiness', () => {
    expect(consumers?.readiness()).toEqual({ ready: true, checks: { broker: true, liveBroker: true } });
    expect(consumers?.main.status()).toBe('running');
    expect(consumers?.live.status()).toBe('running');
  });

  it('stores a live line published after an import\'s backlog before the backlog is drained', async () => {
    // The backlog: every line of the sample's customers, as one import publishes them.
    const backlog = sampleLines(1);
    const backlogCustomers = [...new Set(backlog.map((l) => l.customerId))];
    const backlogLines = new Set(backlog.map((l) => l.lineId)).size;
    await publishLines(
      'import',
      backlog.map((l) => toCustomerLine(l, l.customerId)),
    );

    // Then one live line of a customer the backlog does not hold.
    const live = makeTransactionLine({ invoiceNo: '990001', stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 2, invoiceDate: '2011-02-28T10:00:00Z', unitPriceMilli: 2_550, customerId: `live-${suffix}`, country: 'France' });
    await publishLines('live', [{ ...live, customerId: `live-${suffix}`, lineNumber: null }]);

    // When its metrics are stored, most of the backlog is not.
    const [stored] = await waitFor('the live line\'s metrics', async () => ((await countRows('customer_metrics', [`live-${suffix}`])) === 1 ? [await countRows('transaction_lines', backlogCustomers)] : undefined), 60_000, 20);
    expect(stored).toBeLessThan(backlogLines);
    expect(await storedMetrics([`live-${suffix}`])).toEqual(aggregateCustomers([live]).customers);
    const liveEvent = await waitFor('the live customer\'s metric event', async () => published.find((event) => event.data.customerId === `live-${suffix}`));
    expect(liveEvent.data).toMatchObject({ frequency: 1, monetaryMilli: 5_100, revision: 1 });
    // On the live lane's metrics topic, not behind the import's metric changes.
    expect(livePublished.has(`live-${suffix}`)).toBe(true);
    expect(wrongLane).toBe(0);
    expect(backlogCustomers.some((customer) => livePublished.has(customer))).toBe(false);

    // The backlog drains in the end, to the metrics of its lines.
    const expected = aggregateCustomers(backlog).customers;
    await waitFor('the backlog to drain', async () => ((await countRows('transaction_lines', backlogCustomers)) === backlogLines ? true : undefined), 180_000, 250);
    expect(await storedMetrics(backlogCustomers)).toEqual(expected);
  }, 240_000);

  it('both lanes writing the same customers at once end with the metrics of all their lines, and the highest revision published carries them', async () => {
    // The sample's customers with ids divisible by 5, renamed so that no other test holds them,
    // their lines split at random between the lanes, a tenth sent on both (a line counts once).
    const lines = sampleLines(5).map((l) => asCustomer(l, `lanes-${suffix}-${l.customerId}`));
    const customers = [...new Set(lines.map((l) => l.customerId))];
    const next = random(7);
    const lanes: Record<Lane, TransactionLineData[]> = { import: [], live: [] };
    for (const l of lines) {
      const r = next();
      if (r < 0.45 || r >= 0.9) lanes.import.push(l);
      if (r >= 0.45) lanes.live.push(l);
    }
    // The customer with the most lines leads on both lanes, and meets itself at the gate.
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l.customerId, (counts.get(l.customerId) ?? 0) + 1);
    const leader = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const leading = (part: readonly TransactionLineData[]) => [...part.filter((l) => l.customerId === leader), ...part.filter((l) => l.customerId !== leader)];
    gate = { customer: leader, passed: new Set(), waiting: new Map(), met: false };
    const overlapsBefore = overlaps;

    // Small events (25 lines), so that each lane has many batches of the same customers.
    await Promise.all((['import', 'live'] as const).map((lane) => publishLines(lane, leading(lanes[lane]).map((l) => toCustomerLine(l, l.customerId)), 25)));

    const expected = aggregateCustomers(lines).customers;
    const distinctLines = new Set(lines.map((l) => l.lineId)).size;
    await waitFor('both lanes to store every line', async () => ((await countRows('transaction_lines', customers)) === distinctLines ? true : undefined), 120_000, 250);
    const final = await waitFor('the final metrics', async () => {
      const stored = await storedMetrics(customers);
      return stored.length === expected.length ? stored : undefined;
    });
    expect(final).toEqual(expected);
    expect(gate.met).toBe(true);
    expect(overlaps).toBeGreaterThan(overlapsBefore);
    for (const code of retries) expect(['ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CHECKREAD']).toContain(code);

    // For every customer with a purchase, the event with the highest revision carries the stored
    // metrics and revision; two events with one revision carry the same metrics (a replay
    // publishes it again). Customers with no purchase have no metrics, and no event.
    const buyers = final.map((m) => m.customerId);
    const revisions: { customer_id: string; revision: string | number }[] = await dataSource.query(`SELECT customer_id, revision FROM customer_metrics WHERE customer_id IN (${inList(buyers.length)})`, buyers);
    const storedRevision = new Map(revisions.map((r) => [r.customer_id, Number(r.revision)]));
    const finalOf = new Map(final.map((m) => [m.customerId, m]));
    await waitFor('the metric events of the last batches', async () => (buyers.every((c) => published.some((e) => e.data.customerId === c && e.data.revision === storedRevision.get(c))) ? true : undefined));
    expect(published.some((e) => customers.includes(e.data.customerId) && !finalOf.has(e.data.customerId))).toBe(false);
    for (const customer of buyers) {
      const events = published.filter((e) => e.data.customerId === customer);
      const byRevision = new Map<number, string>();
      for (const { data } of events) {
        const { asOf: _asOf, ...metrics } = data;
        const seen = byRevision.get(data.revision ?? 0);
        expect(seen ?? JSON.stringify(metrics)).toBe(JSON.stringify(metrics));
        byRevision.set(data.revision ?? 0, JSON.stringify(metrics));
      }
      const highest = Math.max(...byRevision.keys());
      expect(highest).toBe(storedRevision.get(customer));
      expect(JSON.parse(byRevision.get(highest)!)).toEqual({ ...finalOf.get(customer), revision: highest });
    }
  }, 180_000);

  it('passes the end of an import\'s lines on to every metrics partition, after the metrics of the lines before it', async () => {
    // The sample's customers with ids divisible by 7, renamed so that no other test holds them.
    const lines = sampleLines(7).map((l) => asCustomer(l, `ends-${suffix}-${l.customerId}`));
    const customers = [...new Set(lines.map((l) => l.customerId))];
    /** Publishes the lines as one import, then its end, as ingest does: a marker in every partition of the import lane. */
    const importAs = async (job: string): Promise<number> => {
      for (let start = 0; start < lines.length; start += 500) {
        const events = transactionLineEvents(lines.slice(start, start + 500).map((l) => toCustomerLine(l, l.customerId)), { kind: 'csv', importJobId: job }, { correlationId: job, producer: 'rfm-lanes-int-spec' });
        await publish(producer, TransactionLineRecordedV3, events.map((event) => ({ key: event.data.customerId, event })), settings.topicPrefix);
      }
      return publishToEveryPartition(
        kafka,
        producer,
        ImportLinesEndedV1,
        job,
        (partition, partitions) => ImportLinesEndedV1.create({ importJobId: job, partition, partitions }, { correlationId: job, producer: 'rfm-lanes-int-spec' }),
        settings.topicPrefix,
      );
    };
    const job = `ends-job-${suffix}`;
    const linePartitions = await importAs(job);
    const metricsPartitions = CustomerMetricsChangedV1.topic.partitions;
    const ends = () => metricsLog.filter((entry) => entry.what.startsWith(`end ${job} `));
    await waitFor('the end of the import in every metrics partition, for every line partition', async () => (new Set(ends().map((e) => e.what)).size >= linePartitions * metricsPartitions ? true : undefined), 60_000);
    expect([...new Set(ends().map((e) => `${e.partition} ${e.what}`))].sort()).toEqual(
      Array.from({ length: linePartitions * metricsPartitions }, (_, i) => {
        const [line, metrics] = [Math.floor(i / metricsPartitions), i % metricsPartitions];
        return `${metrics} end ${job} ${line}/${linePartitions} ${metrics}/${metricsPartitions}`;
      }).sort(),
    );
    // Each customer's metric events precede, in their metrics partition, the end of the line
    // partition its lines came from.
    for (const customer of customers) {
      const events = metricsLog.filter((entry) => entry.what === `metrics ${customer}`);
      if (events.length === 0) continue; // no purchase: no metrics
      const linePartition = linePartitionOf.get(customer);
      expect(linePartition).toBeDefined();
      for (const event of events) {
        const end = ends().find((e) => e.partition === event.partition && e.what.startsWith(`end ${job} ${linePartition}/`));
        expect(end?.offset).toBeGreaterThan(event.offset);
      }
    }
    expect(customers.filter((customer) => metricsLog.some((entry) => entry.what === `metrics ${customer}`)).length).toBeGreaterThan(customers.length / 2);
    // Every partition held new lines of the import, or this process cannot tell: none says unchanged.
    expect(ends().filter((e) => e.what.endsWith('unchanged'))).toEqual([]);

    // The same file imported again: its ends say that it changed nothing, in every line partition
    // that held its lines (a partition without any of its lines cannot tell).
    const again = `ends-again-${suffix}`;
    await importAs(again);
    const endsAgain = () => metricsLog.filter((entry) => entry.what.startsWith(`end ${again} `));
    await waitFor('the second import\'s ends', async () => (new Set(endsAgain().map((e) => e.what)).size >= linePartitions * metricsPartitions ? true : undefined), 60_000);
    const withLines = new Set(customers.map((customer) => linePartitionOf.get(customer)));
    for (const end of endsAgain()) {
      const linePartition = Number(end.what.split(' ')[2]!.split('/')[0]);
      expect(end.what.endsWith('unchanged')).toBe(withLines.has(linePartition));
    }
  }, 120_000);

  it('reads the v2 lines and import ends of an ingest from before v3, on both lanes, to the same metrics', async () => {
    // The sample's customers with ids divisible by 11, renamed so that no other test holds them:
    // as an older ingest published them, one object per line on the v2 topics, the import's
    // lines and their end on the import lane, a tenth of them again on the live lane.
    const lines = sampleLines(11).map((l) => asCustomer(l, `v2-${suffix}-${l.customerId}`));
    const customers = [...new Set(lines.map((l) => l.customerId))];
    const job = `v2-job-${suffix}`;
    const v2Events = (part: readonly TransactionLineData[], source: { kind: 'csv' | 'api'; importJobId: string | null }) => {
      const byCustomer = new Map<string, TransactionLineData[]>();
      for (const l of part) byCustomer.set(l.customerId, [...(byCustomer.get(l.customerId) ?? []), l]);
      return [...byCustomer].map(([customerId, own]) => ({
        key: customerId,
        event: TransactionLineRecordedV2.create(
          { customerId, source, lines: own.map(({ customerId: _c, source: s, ...fields }) => ({ ...fields, lineNumber: source.kind === 'csv' ? s.lineNumber : null })) },
          { correlationId: job, producer: 'ingest-service-v2' },
        ),
      }));
    };
    await publish(producer, TransactionLineRecordedV2, v2Events(lines, { kind: 'csv', importJobId: job }), settings.topicPrefix);
    await publish(producer, LiveTransactionLineRecordedV2, v2Events(lines.filter((_l, i) => i % 10 === 0), { kind: 'api', importJobId: null }), settings.topicPrefix);
    const linePartitions = await publishToEveryPartition(
      kafka,
      producer,
      ImportLinesEndedOnV2LinesV1,
      job,
      (partition, partitions) => ImportLinesEndedOnV2LinesV1.create({ importJobId: job, partition, partitions }, { correlationId: job, producer: 'ingest-service-v2' }),
      settings.topicPrefix,
    );

    // The end of the import comes through for every line partition, and the metrics are those of the lines.
    const metricsPartitions = CustomerMetricsChangedV1.topic.partitions;
    await waitFor('the v2 import\'s ends', async () => (new Set(metricsLog.filter((e) => e.what.startsWith(`end ${job} `)).map((e) => e.what)).size >= linePartitions * metricsPartitions ? true : undefined), 60_000);
    const expected = aggregateCustomers(lines).customers;
    await waitFor('every v2 line stored', async () => ((await countRows('transaction_lines', customers)) === new Set(lines.map((l) => l.lineId)).size ? true : undefined), 60_000, 250);
    expect(await storedMetrics(customers)).toEqual(expected);
    expect(wrongLane).toBe(0);
  }, 120_000);
});
