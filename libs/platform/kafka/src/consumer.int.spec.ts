// runConsumer against the real broker: each test has a topic prefix of its own (fresh topics, no
// other test's data) and consumer groups of its own, and deletes its topics afterwards.
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import {
  ALL_TOPICS,
  CustomerMetricsChangedV1,
  ImportMetricsEndedV1,
  MessageDeadLetteredV1,
  TOPICS,
  TransactionLineRecordedV1,
  type CustomerMetricsChanged,
  type CustomerMetricsData,
  type ImportMetricsEnded,
  type MessageDeadLettered,
} from '@seg/contracts-events';
import { createLogger } from '@seg/platform-observability';
// The shared test harness (a platform lib may not depend on it in production code; a test may).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { testKafkaSettings, uniqueSuffix, waitFor } from '@seg/testing';
import { connectProducer, createKafka, ensureTopics } from './kafka-client';
import { runConsumer, type FetchSizes } from './consumer';
import { partitionCount, publish, publishToEveryPartition } from './publisher';

const logger = createLogger('consumer-int-spec', 'silent');

function metrics(customerId: string): CustomerMetricsData {
  return {
    customerId,
    country: 'United Kingdom',
    firstPurchaseAt: '2010-12-01T08:26:00Z',
    lastPurchaseAt: '2010-12-09T12:00:00Z',
    frequency: 2,
    monetaryMilli: 161_320,
    cancelledMilli: 0,
    asOf: '2010-12-10T12:00:00Z',
  };
}

const metricsEvent = (customerId: string): CustomerMetricsChanged => CustomerMetricsChangedV1.create(metrics(customerId), { correlationId: 'consumer-int', producer: 'consumer-int-spec' });

interface Harness {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly prefix: string;
  readonly brokers: readonly string[];
  readonly metricsTopic: string;
  /** Sends raw values to one partition of the metrics topic; returns their offsets. */
  send(values: readonly { key: string; value: string | null }[], partition?: number): Promise<string[]>;
  /** Starts a consumer group member with a handler, through the code under test. */
  consume(groupId: string, handle: (events: readonly CustomerMetricsChanged[], partition: number) => Promise<void>, options?: { fetch?: FetchSizes; concurrency?: number }): Promise<Consumer>;
  /** The group's committed offset of a partition of the metrics topic ('-1': none). */
  committed(groupId: string, partition: number): Promise<string>;
  close(): Promise<void>;
}

async function openHarness(): Promise<Harness> {
  const settings = testKafkaSettings('consumer-int-spec');
  const kafka = createKafka(settings, logger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ALL_TOPICS, settings.topicPrefix);
  const producer = await connectProducer(kafka, settings, logger);
  const consumers: Consumer[] = [];
  const metricsTopic = settings.topicPrefix + TOPICS.customerMetricsChangedV1.name;
  return {
    kafka,
    admin,
    producer,
    prefix: settings.topicPrefix,
    brokers: settings.brokers,
    metricsTopic,
    async send(values, partition = 0) {
      const offsets: string[] = [];
      // One request per message keeps the offsets known even if the broker splits batches.
      for (const { key, value } of values) {
        const [meta] = await producer.send({ topic: metricsTopic, acks: -1, messages: [{ key, value, partition }] });
        if (!meta?.baseOffset) throw new Error('the broker returned no offset');
        offsets.push(meta.baseOffset);
      }
      return offsets;
    },
    async consume(groupId, handle, options = {}) {
      const consumer = await runConsumer({
        kafka,
        groupId,
        producer,
        logger,
        settings,
        ...options,
        handlers: [{ contract: CustomerMetricsChangedV1, handle: (events, { partition }) => handle(events, partition) }],
      });
      consumers.push(consumer);
      return consumer;
    },
    async committed(groupId, partition) {
      const [topic] = await admin.fetchOffsets({ groupId, topics: [metricsTopic] });
      return topic?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await producer.disconnect();
      await admin.deleteTopics({ topics: ALL_TOPICS.map((t) => settings.topicPrefix + t.name) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** Reads the prefixed dead-letter topic from the beginning with a plain consumer. */
async function readDeadLetters(harness: Harness): Promise<{ letters: MessageDeadLettered[]; consumer: Consumer }> {
  const letters: MessageDeadLettered[] = [];
  const consumer = harness.kafka.consumer({ groupId: `dead-letter-reader-${uniqueSuffix()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: harness.prefix + TOPICS.deadLetterV1.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = MessageDeadLetteredV1.decode(message.value);
      if (!decoded.ok) throw new Error(`a dead letter that does not decode: ${decoded.error.reason}`);
      letters.push(decoded.value);
    },
  });
  return { letters, consumer };
}

describe('runConsumer (real Kafka)', () => {
  // Closing a consumer waits for its pending fetch (kafkajs long-polls up to 5 s), so the tests'
  // harnesses are closed together at the end rather than one after the other.
  const harnesses: Harness[] = [];
  const fresh = async (): Promise<Harness> => {
    const harness = await openHarness();
    harnesses.push(harness);
    return harness;
  };

  afterAll(async () => {
    await Promise.all(harnesses.map((harness) => harness.close()));
  }, 30_000);

  it('hands valid events to the handler and dead-letters each malformed one, while later valid ones keep flowing', async () => {
    const harness = await fresh();
    const groupId = `consumer-int-${uniqueSuffix()}`;
    const wrongType = TransactionLineRecordedV1.create(
      {
        lineId: 'a'.repeat(64),
        invoiceNo: '536365',
        stockCode: '85123A',
        description: 'WHITE HANGING HEART T-LIGHT HOLDER',
        quantity: 6,
        invoiceDate: '2010-12-01T08:26:00Z',
        unitPriceMilli: 2550,
        customerId: '17850',
        country: 'United Kingdom',
        source: { kind: 'csv', importJobId: null, lineNumber: 2 },
      },
      { correlationId: 'c', producer: 'p' },
    );
    const badPayload = { ...metricsEvent('13047'), data: { ...metrics('13047'), frequency: 0 } };
    const valid = ['17850', '13047', '12583', '13748'].map(metricsEvent);
    // Everything on partition 0, so the malformed messages sit between valid ones of one partition.
    const sent = [
      { key: '17850', value: JSON.stringify(valid[0]) },
      { key: '17850', value: 'not json at all' },
      { key: '13047', value: JSON.stringify(valid[1]) },
      { key: '17850', value: JSON.stringify(wrongType) },
      { key: '12583', value: JSON.stringify(valid[2]) },
      { key: '13047', value: JSON.stringify(badPayload) },
      { key: '13748', value: JSON.stringify(valid[3]) },
    ];
    const offsets = await harness.send(sent);

    const handled: { partition: number; event: CustomerMetricsChanged }[] = [];
    await harness.consume(groupId, async (events, partition) => {
      handled.push(...events.map((event) => ({ partition, event })));
    });
    const deadLetters = await readDeadLetters(harness);
    try {
      await waitFor('the four valid events', async () => (handled.length >= 4 ? true : undefined), 20_000);
      await waitFor('three dead letters', async () => (deadLetters.letters.length >= 3 ? true : undefined), 20_000);

      expect(handled.map((h) => h.event)).toEqual(valid);
      expect(handled.every((h) => h.partition === 0)).toBe(true);

      const byOffset = new Map(deadLetters.letters.map((letter) => [letter.data.offset, letter]));
      expect(deadLetters.letters).toHaveLength(3);
      const expectations = [
        { index: 1, code: 'NOT_JSON', reason: /^value is not JSON/ },
        { index: 3, code: 'WRONG_TYPE', reason: /^expected CustomerMetricsChanged v1, got TransactionLineRecorded v1$/ },
        { index: 5, code: 'BAD_PAYLOAD', reason: /^frequency: / },
      ];
      for (const { index, code, reason } of expectations) {
        const letter = byOffset.get(offsets[index]!);
        expect(letter?.data).toEqual({
          topic: harness.metricsTopic,
          partition: 0,
          offset: offsets[index],
          key: sent[index]!.key,
          valueBase64: Buffer.from(sent[index]!.value!, 'utf8').toString('base64'),
          consumerGroup: groupId,
          code,
          reason: expect.stringMatching(reason),
        });
        expect(letter?.producer).toBe(groupId);
      }
      // The whole partition was consumed: the committed offset is the one after the last message.
      await waitFor('the commit', async () => ((await harness.committed(groupId, 0)) === String(Number(offsets[6]) + 1) ? true : undefined), 10_000);
    } finally {
      await deadLetters.consumer.disconnect();
    }
  }, 30_000);

  it('commits offsets only after the handler resolves; a handler that throws sees the same batch again', async () => {
    const harness = await fresh();
    const groupId = `consumer-int-${uniqueSuffix()}`;
    const valid = ['17850', '13047', '12583'].map(metricsEvent);
    const offsets = await harness.send(valid.map((event) => ({ key: event.data.customerId, value: JSON.stringify(event) })));

    const calls: { eventIds: string[]; committedBefore: string }[] = [];
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await harness.consume(groupId, async (events) => {
      calls.push({ eventIds: events.map((e) => e.eventId), committedBefore: await harness.committed(groupId, 0) });
      if (calls.length === 1) throw new Error('the database is away');
      // Hold the second attempt until the test has looked at the committed offset.
      await released;
    });

    try {
      await waitFor('the retried batch', async () => (calls.length >= 2 ? true : undefined), 20_000);
      // The batch is seen again in full, and nothing was committed after the failure.
      expect(calls[1]!.eventIds).toEqual(calls[0]!.eventIds);
      expect(calls[0]!.eventIds).toEqual(valid.map((e) => e.eventId));
      expect(calls.map((c) => c.committedBefore)).toEqual(['-1', '-1']);
      // While the handler has not resolved, still nothing is committed.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await harness.committed(groupId, 0)).toBe('-1');
    } finally {
      // A handler left hanging would keep the consumer from disconnecting.
      release();
    }
    const next = String(Number(offsets[2]) + 1);
    await waitFor('the commit after the handler resolved', async () => ((await harness.committed(groupId, 0)) === next ? true : undefined), 10_000);
    expect(calls).toHaveLength(2);
  }, 30_000);

  it('a restarted member of the same group does not get what was already handled', async () => {
    const harness = await fresh();
    const groupId = `consumer-int-${uniqueSuffix()}`;
    const first = ['17850', '13047', '12583'].map(metricsEvent);
    // Spread over two partitions: the commit must hold for each of them.
    await harness.send(first.slice(0, 2).map((event) => ({ key: event.data.customerId, value: JSON.stringify(event) })), 0);
    await harness.send(first.slice(2).map((event) => ({ key: event.data.customerId, value: JSON.stringify(event) })), 3);

    const seenBefore: string[] = [];
    const consumer = await harness.consume(groupId, async (events) => {
      seenBefore.push(...events.map((e) => e.eventId));
    });
    await waitFor('the first events', async () => (seenBefore.length >= 3 ? true : undefined), 20_000);
    await waitFor('both commits', async () => ((await harness.committed(groupId, 0)) === '2' && (await harness.committed(groupId, 3)) === '1' ? true : undefined), 10_000);
    await consumer.disconnect();

    const second = ['13748', '15100'].map(metricsEvent);
    await harness.send(second.map((event) => ({ key: event.data.customerId, value: JSON.stringify(event) })), 0);
    const seenAfter: string[] = [];
    await harness.consume(groupId, async (events) => {
      seenAfter.push(...events.map((e) => e.eventId));
    });
    await waitFor('the new events', async () => (seenAfter.length >= 2 ? true : undefined), 20_000);
    await waitFor('the commit of the new events', async () => ((await harness.committed(groupId, 0)) === '4' ? true : undefined), 10_000);

    expect(seenBefore.sort()).toEqual(first.map((e) => e.eventId).sort());
    expect(seenAfter).toEqual(second.map((e) => e.eventId));
  }, 30_000);

  it('hands bigger batches when asked for bigger fetches', async () => {
    const harness = await fresh();
    // About 1.6 MB of events on one partition (published in requests of at most 512 KiB): more
    // than kafkajs' default 1 MiB per partition and fetch.
    const events = Array.from({ length: 4_000 }, (_, i) => metricsEvent(String(20_000 + i)));
    await publish(harness.producer, CustomerMetricsChangedV1, events.map((event) => ({ key: 'one-key', event })), harness.prefix);
    const batchesOf = async (fetch?: FetchSizes): Promise<number[]> => {
      const sizes: number[] = [];
      await harness.consume(`consumer-int-${uniqueSuffix()}`, async (batch) => void sizes.push(batch.length), { fetch });
      await waitFor('every event', async () => (sizes.reduce((a, b) => a + b, 0) >= events.length ? true : undefined), 20_000);
      return sizes;
    };
    expect(Math.max(...(await batchesOf()))).toBeLessThan(events.length);
    expect(await batchesOf({ maxBytesPerPartition: 8 * 1024 * 1024, maxBytes: 16 * 1024 * 1024 })).toEqual([events.length]);
  }, 60_000);

  it('handles batches of different partitions at once when asked to', async () => {
    const harness = await fresh();
    for (const partition of [0, 1, 2]) {
      await harness.send(['a', 'b'].map((suffix) => metricsEvent(`${partition}${suffix}`)).map((event) => ({ key: event.data.customerId, value: JSON.stringify(event) })), partition);
    }
    const peakInFlight = async (concurrency?: number): Promise<number> => {
      let inFlight = 0;
      let peak = 0;
      let handled = 0;
      await harness.consume(
        `consumer-int-${uniqueSuffix()}`,
        async (events) => {
          peak = Math.max(peak, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 300));
          inFlight--;
          handled += events.length;
        },
        concurrency === undefined ? {} : { concurrency },
      );
      await waitFor('every event', async () => (handled >= 6 ? true : undefined), 20_000);
      return peak;
    };
    expect(await peakInFlight()).toBe(1);
    expect(await peakInFlight(3)).toBeGreaterThan(1);
  }, 60_000);

  it('reads a marker contract on the same topic: runs of each contract handled in the partition\'s order, any other type dead-lettered naming both', async () => {
    const harness = await fresh();
    const groupId = `consumer-int-${uniqueSuffix()}`;
    const marker = (importJobId: string): ImportMetricsEnded =>
      ImportMetricsEndedV1.create({ importJobId, linePartition: 0, linePartitions: 1, partition: 0, partitions: 6, changed: true }, { correlationId: importJobId, producer: 'consumer-int-spec' });
    const stray = TransactionLineRecordedV1.create(
      { lineId: 'b'.repeat(64), invoiceNo: '1', stockCode: 'S', description: '', quantity: 1, invoiceDate: '2011-01-01T00:00:00Z', unitPriceMilli: 1, customerId: '1', country: 'X', source: { kind: 'api', importJobId: null, lineNumber: null } },
      { correlationId: 'c', producer: 'p' },
    );
    const sequence = [metricsEvent('a1'), marker('job-1'), metricsEvent('a2'), metricsEvent('a3'), stray, marker('job-2'), metricsEvent('a4')];
    const offsets = await harness.send(sequence.map((event) => ({ key: 'k', value: JSON.stringify(event) })));
    const runs: string[][] = [];
    const consumer = await runConsumer({
      kafka: harness.kafka,
      groupId,
      producer: harness.producer,
      logger,
      settings: { brokers: harness.brokers, topicPrefix: harness.prefix },
      handlers: [
        { contract: CustomerMetricsChangedV1, handle: async (events) => void runs.push(events.map((e) => `metrics ${e.data.customerId}`)) },
        { contract: ImportMetricsEndedV1, handle: async (events) => void runs.push(events.map((e) => `ended ${e.data.importJobId}`)) },
      ],
    });
    const deadLetters = await readDeadLetters(harness);
    try {
      await waitFor('every event', async () => (runs.flat().includes('metrics a4') ? true : undefined), 20_000);
      // In the partition's order, the stray left out; a run never mixes the two contracts.
      expect(runs.flat()).toEqual(['metrics a1', 'ended job-1', 'metrics a2', 'metrics a3', 'ended job-2', 'metrics a4']);
      for (const run of runs) expect(new Set(run.map((event) => event.split(' ')[0])).size).toBe(1);
      await waitFor('the dead letter', async () => (deadLetters.letters.length >= 1 ? true : undefined), 20_000);
      expect(deadLetters.letters.map((letter) => letter.data)).toEqual([
        expect.objectContaining({ offset: offsets[4], code: 'WRONG_TYPE', reason: 'expected CustomerMetricsChanged v1 or ImportMetricsEnded v1, got TransactionLineRecorded v1' }),
      ]);
    } finally {
      await deadLetters.consumer.disconnect();
      await consumer.disconnect();
    }
  }, 60_000);

  it('publishes a marker to every partition of a topic, each naming its partition and the count', async () => {
    const harness = await fresh();
    const partitions = await partitionCount(harness.kafka, harness.metricsTopic);
    expect(partitions).toBe(TOPICS.customerMetricsChangedV1.partitions);
    const sent = await publishToEveryPartition(
      harness.kafka,
      harness.producer,
      ImportMetricsEndedV1,
      'job-9',
      (partition, count) => ImportMetricsEndedV1.create({ importJobId: 'job-9', linePartition: 2, linePartitions: 3, partition, partitions: count, changed: false }, { correlationId: 'job-9', producer: 'consumer-int-spec' }),
      harness.prefix,
    );
    expect(sent).toBe(partitions);
    // By partition: delivery is at least once.
    const seen = new Map<number, ImportMetricsEnded['data']>();
    const consumer = await runConsumer({
      kafka: harness.kafka,
      groupId: `consumer-int-${uniqueSuffix()}`,
      producer: harness.producer,
      logger,
      settings: { brokers: harness.brokers, topicPrefix: harness.prefix },
      handlers: [
        { contract: CustomerMetricsChangedV1, handle: async () => undefined },
        { contract: ImportMetricsEndedV1, handle: async (events, { partition }) => events.forEach((e) => seen.set(partition, e.data)) },
      ],
    });
    try {
      await waitFor('a marker in every partition', async () => (seen.size >= partitions ? true : undefined), 20_000);
      expect([...seen].sort(([a], [b]) => a - b)).toEqual(Array.from({ length: partitions }, (_, partition) => [partition, { importJobId: 'job-9', linePartition: 2, linePartitions: 3, partition, partitions, changed: false }]));
    } finally {
      await consumer.disconnect();
    }
  }, 60_000);

  it('leaves the event loop alone while idle: no timer loop per broker connection (patches/kafkajs)', async () => {
    const harness = await fresh();
    const handled: string[] = [];
    await harness.consume(`consumer-int-${uniqueSuffix()}`, async (batch) => void handled.push(...batch.map((e) => e.data.customerId)));
    await publish(harness.producer, CustomerMetricsChangedV1, [{ key: 'idle', event: metricsEvent('30001') }], harness.prefix);
    await waitFor('the event', async () => (handled.length > 0 ? true : undefined), 20_000);
    // Idle now: a consumer (its group coordinator and fetch connections), a producer and an admin
    // client, all connected. kafkajs 2.2.4 unpatched re-arms a setTimeout after every check of a
    // connection's request queue, pending or not, so each connection schedules one about every
    // millisecond (about 1,000 a second each); patched, only heartbeats and long-poll fetches
    // remain, a few a second.
    const realSetTimeout = globalThis.setTimeout;
    let scheduled = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      scheduled += 1;
      return realSetTimeout(...args);
    }) as typeof setTimeout;
    try {
      await new Promise((resolve) => realSetTimeout(resolve, 1_000));
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    expect(scheduled).toBeLessThan(50);
  }, 60_000);
});
