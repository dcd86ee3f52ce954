// The consumer's metrics, logs and status against the real broker: each test has a topic prefix,
// a consumer group and a metrics registry of its own, and deletes its topics afterwards.
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { CustomerMetricsChangedV1, TOPICS, type CustomerMetricsChanged } from '@seg/contracts-events';
import { createLogger, createMetricsRegistry, type MetricsRegistry } from '@seg/platform-observability';
// The shared test harness (a platform lib may not depend on it in production code; a test may).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { testKafkaSettings, uniqueSuffix, waitFor } from '@seg/testing';
import { connectProducer, createKafka, ensureTopics } from './kafka-client';
import { runConsumer } from './consumer';
import type { RunningConsumer } from './consumer-status';

const logger = createLogger('consumer-metrics-int-spec', 'silent');
const CORRELATION_ID = 'consumer-metrics-int';

const metricsEvent = (customerId: string): CustomerMetricsChanged =>
  CustomerMetricsChangedV1.create(
    {
      customerId,
      country: 'United Kingdom',
      firstPurchaseAt: '2010-12-01T08:26:00Z',
      lastPurchaseAt: '2010-12-09T12:00:00Z',
      frequency: 2,
      monetaryMilli: 161_320,
      cancelledMilli: 0,
      asOf: '2010-12-10T12:00:00Z',
    },
    { correlationId: CORRELATION_ID, producer: 'consumer-metrics-int-spec' },
  );

/** The value of one series (labels given must match; a histogram's `_sum`/`_count` by its full name). */
async function sample(registry: MetricsRegistry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(sum|count)$/, ''));
  if (!metric) return undefined;
  // A histogram's values name their series (`_bucket`, `_sum`, `_count`); a counter's or gauge's do not.
  const values = (await metric.get()).values as readonly { value: number; labels: Record<string, unknown>; metricName?: string }[];
  return values.find((v) => (v.metricName ?? name) === name && Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value))?.value;
}

interface Harness {
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** Counts what it publishes in `registry`, like a service's producer. */
  readonly producer: Producer;
  readonly registry: MetricsRegistry;
  readonly topic: string;
  readonly deadLetterTopic: string;
  send(values: readonly string[]): Promise<void>;
  consume(handle: (events: readonly CustomerMetricsChanged[], context: { partition: number; logger: Logger }) => Promise<void>): Promise<RunningConsumer>;
  close(): Promise<void>;
}

async function openHarness(): Promise<Harness> {
  const settings = testKafkaSettings('consumer-metrics-int-spec');
  const kafka = createKafka(settings, logger);
  const admin = kafka.admin();
  await admin.connect();
  const specs = [TOPICS.customerMetricsChangedV1, TOPICS.deadLetterV1];
  await ensureTopics(admin, specs, settings.topicPrefix);
  const registry = createMetricsRegistry('consumer-metrics-int-spec', { processMetrics: false });
  const producer = await connectProducer(kafka, settings, logger, undefined, registry);
  const consumers: RunningConsumer[] = [];
  const topic = settings.topicPrefix + TOPICS.customerMetricsChangedV1.name;
  return {
    kafka,
    admin,
    producer,
    registry,
    topic,
    deadLetterTopic: settings.topicPrefix + TOPICS.deadLetterV1.name,
    async send(values) {
      // Everything on partition 0, so that the lag of one partition tells the whole story.
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: 'k', value, partition: 0 })) });
    },
    async consume(handle) {
      const consumer = await runConsumer({
        kafka,
        groupId: `consumer-metrics-int-${uniqueSuffix()}`,
        producer,
        logger,
        settings,
        metrics: registry,
        handlers: [{ contract: CustomerMetricsChangedV1, handle }],
      });
      consumers.push(consumer);
      return consumer;
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await producer.disconnect();
      await admin.deleteTopics({ topics: specs.map((t) => settings.topicPrefix + t.name) }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

describe('runConsumer metrics, logs and status (real Kafka)', () => {
  // Closing a consumer waits for its pending fetch, so harnesses are closed together at the end.
  const harnesses: Harness[] = [];
  const fresh = async (): Promise<Harness> => {
    const harness = await openHarness();
    harnesses.push(harness);
    return harness;
  };

  afterAll(async () => {
    await Promise.all(harnesses.map((harness) => harness.close()));
  }, 30_000);

  it('counts handled events, batches and dead letters, hands the handler a logger with the correlation id, and reports the status', async () => {
    const h = await fresh();
    const valid = ['17850', '13047', '12583'].map(metricsEvent);
    const badPayload = { ...valid[0]!, data: { ...valid[0]!.data, frequency: 0 } };
    await h.send([JSON.stringify(valid[0]), 'not json at all', JSON.stringify(valid[1]), JSON.stringify(badPayload), JSON.stringify(valid[2])]);

    const bindings: Record<string, unknown>[] = [];
    const consumer = await h.consume(async (_events, context) => {
      bindings.push(context.logger.bindings());
    });
    expect(consumer.status()).toBe('running');
    expect(await sample(h.registry, 'seg_kafka_consumer_running', {})).toBe(1);

    await waitFor('three handled events', async () => ((await sample(h.registry, 'seg_kafka_events_handled_total', { topic: h.topic })) === 3 ? true : undefined), 20_000);
    await waitFor('the lag of the last batch', async () => ((await sample(h.registry, 'seg_kafka_consumer_lag', { topic: h.topic, partition: '0' })) === 0 ? true : undefined), 10_000);

    expect(await sample(h.registry, 'seg_kafka_dead_letters_total', { topic: h.topic, code: 'NOT_JSON' })).toBe(1);
    expect(await sample(h.registry, 'seg_kafka_dead_letters_total', { topic: h.topic, code: 'BAD_PAYLOAD' })).toBe(1);
    expect(await sample(h.registry, 'seg_kafka_handler_errors_total', { topic: h.topic })).toBeUndefined();
    // Every message of the partition went through a batch, the undecodable ones included.
    expect(await sample(h.registry, 'seg_kafka_batch_size_sum', { topic: h.topic })).toBe(5);
    const batches = await sample(h.registry, 'seg_kafka_batch_size_count', { topic: h.topic });
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(await sample(h.registry, 'seg_kafka_batch_duration_seconds_count', { topic: h.topic })).toBe(batches);
    // The counting producer saw the test's five messages and the consumer's two dead letters.
    expect(await sample(h.registry, 'seg_kafka_events_published_total', { topic: h.topic })).toBe(5);
    expect(await sample(h.registry, 'seg_kafka_events_published_total', { topic: h.deadLetterTopic })).toBe(2);

    expect(bindings[0]).toEqual(expect.objectContaining({ topic: h.topic, partition: 0, correlationId: CORRELATION_ID, correlationIds: 1 }));

    await consumer.disconnect();
    expect(consumer.status()).toBe('down');
    expect(await sample(h.registry, 'seg_kafka_consumer_running', {})).toBe(0);
  }, 40_000);

  it('counts a handler error once and the events only when the retried batch succeeds', async () => {
    const h = await fresh();
    const valid = ['17850', '13047'].map(metricsEvent);
    await h.send(valid.map((event) => JSON.stringify(event)));
    let calls = 0;
    await h.consume(async () => {
      calls++;
      if (calls === 1) throw new Error('the database is away');
    });
    await waitFor('the retried batch', async () => ((await sample(h.registry, 'seg_kafka_events_handled_total', { topic: h.topic })) === 2 ? true : undefined), 20_000);
    expect(await sample(h.registry, 'seg_kafka_handler_errors_total', { topic: h.topic })).toBe(1);
    expect(calls).toBe(2);
    // The failed attempt is not timed: only completed batches are.
    expect(await sample(h.registry, 'seg_kafka_batch_size_count', { topic: h.topic })).toBe(2);
    expect(await sample(h.registry, 'seg_kafka_batch_duration_seconds_count', { topic: h.topic })).toBe(1);
  }, 40_000);

  it('reports the lag left after each batch, from the batch high watermark, down to zero', async () => {
    const h = await fresh();
    // About 1.4 MB in record batches of 500: more than one fetch (at most 1 MB per partition) can
    // carry, so the first batch leaves a lag behind it.
    const total = 4_000;
    for (let i = 0; i < total; i += 500) {
      await h.send(Array.from({ length: 500 }, (_, j) => JSON.stringify(metricsEvent(String(12_000 + i + j)))));
    }
    const seen: { size: number; lagBefore: number | undefined }[] = [];
    await h.consume(async (events) => {
      seen.push({ size: events.length, lagBefore: await sample(h.registry, 'seg_kafka_consumer_lag', { topic: h.topic, partition: '0' }) });
    });
    await waitFor('every event', async () => ((await sample(h.registry, 'seg_kafka_events_handled_total', { topic: h.topic })) === total ? true : undefined), 30_000);
    await waitFor('the last lag', async () => ((await sample(h.registry, 'seg_kafka_consumer_lag', { topic: h.topic, partition: '0' })) === 0 ? true : undefined), 10_000);

    expect(seen.length).toBeGreaterThan(1);
    // Everything was produced before the consumer started, so each batch's high watermark is the
    // total: the lag seen by batch n+1 is what the batches up to n left.
    let handled = 0;
    for (const [n, batch] of seen.entries()) {
      expect(batch.lagBefore).toBe(n === 0 ? undefined : total - handled);
      handled += batch.size;
    }
  }, 60_000);
});
