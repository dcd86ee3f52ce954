// publish() on the real broker: more events for one partition than fit in one record batch.
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests use the harness; the library does not
import { testKafkaSettings } from '@seg/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, TransactionLineRecordedV1 } from '@seg/contracts-events';
import { assertTopicsReady, ensureTopics } from './kafka-client';
import { publish } from './publisher';

describe('publish (real Kafka)', () => {
  const settings = testKafkaSettings('publisher-int-spec');
  const kafka = new Kafka({ clientId: settings.clientId, brokers: [...settings.brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();

  beforeAll(async () => {
    await admin.connect();
    await ensureTopics(admin, ALL_TOPICS, settings.topicPrefix);
    await producer.connect();
  }, 30_000);

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: ALL_TOPICS.map((t) => settings.topicPrefix + t.name) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('tells when the platform\'s topics are ready (every partition has a leader), and names a topic that is not', async () => {
    const names = ALL_TOPICS.map((t) => settings.topicPrefix + t.name);
    await expect(assertTopicsReady(admin, names)).resolves.toBeUndefined();
    const missing = `${settings.topicPrefix}not-created-by-anyone`;
    // Unknown to the broker (kafkajs may answer with its own error for it): never ready.
    await expect(assertTopicsReady(admin, [...names, missing])).rejects.toThrow(/topic/);
  });

  it('splits a large batch so that no partition receives more than the broker accepts at once', async () => {
    // 3,000 events of about 700 bytes for ONE customer (one partition): about 2 MB, twice the
    // broker's default message.max.bytes (1 MiB) for a single record batch.
    const description = 'WHITE HANGING HEART T-LIGHT HOLDER '.repeat(8);
    const events = Array.from({ length: 3_000 }, (_, i) => ({
      key: '17850',
      event: TransactionLineRecordedV1.create(
        {
          lineId: i.toString(16).padStart(64, '0'),
          invoiceNo: String(536_365 + i),
          stockCode: '85123A',
          description,
          quantity: 6,
          invoiceDate: '2010-12-01T08:26:00Z',
          unitPriceMilli: 2_550,
          customerId: '17850',
          country: 'United Kingdom',
          source: { kind: 'csv', importJobId: 'job', lineNumber: i + 2 },
        },
        { correlationId: 'job', producer: 'publisher-int-spec' },
      ),
    }));
    expect(events.reduce((sum, e) => sum + JSON.stringify(e.event).length, 0)).toBeGreaterThan(2 * 1024 * 1024 * 0.9);

    // Sent in one request, the broker refuses the batch: that is the limit being guarded.
    await expect(publish(producer, TransactionLineRecordedV1, events, settings.topicPrefix, 64 * 1024 * 1024)).rejects.toThrow(/larger than the max message size/);

    await publish(producer, TransactionLineRecordedV1, events, settings.topicPrefix);

    const offsets = await admin.fetchTopicOffsets(settings.topicPrefix + TransactionLineRecordedV1.topic.name);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(3_000);
  }, 30_000);
});
