import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { createMetricsRegistry } from '@seg/platform-observability';
import { consumerLag, countPublished, kafkaMetrics, partitionLag } from './kafka-metrics';

describe('consumerLag', () => {
  it('is the high watermark minus the committed offset', () => {
    expect(consumerLag('120', '100')).toBe(20);
    expect(consumerLag('100', '100')).toBe(0);
  });

  it('is never negative (a high watermark fetched before the commit moved on)', () => {
    expect(consumerLag('99', '100')).toBe(0);
  });

  it('works beyond 2^53 offsets', () => {
    expect(consumerLag('9007199254740995', '9007199254740993')).toBe(2);
  });
});

describe('kafkaMetrics', () => {
  it('defines the metrics once per registry', async () => {
    const registry = createMetricsRegistry('s', { processMetrics: false });
    kafkaMetrics(registry).eventsHandled.inc({ topic: 't' }, 2);
    kafkaMetrics(registry).eventsHandled.inc({ topic: 't' }, 1);
    const names = registry.getMetricsAsArray().map((m) => m.name).sort();
    expect(names).toEqual([
      'seg_kafka_batch_duration_seconds',
      'seg_kafka_batch_size',
      'seg_kafka_consumer_lag',
      'seg_kafka_consumer_running',
      'seg_kafka_dead_letters_total',
      'seg_kafka_events_handled_total',
      'seg_kafka_events_published_total',
      'seg_kafka_handler_errors_total',
    ]);
    expect(await registry.metrics()).toContain('seg_kafka_events_handled_total{topic="t",service="s"} 3');
  });
});

describe('partitionLag', () => {
  it('forgets the partitions a rebalance took away, and only those', async () => {
    const registry = createMetricsRegistry('s', { processMetrics: false });
    const metrics = kafkaMetrics(registry);
    const lag = partitionLag(metrics.consumerLag);
    lag.set('lines', 0, 5);
    lag.set('lines', 1, 7);
    lag.set('metrics', 2, 1);
    lag.keepOnly({ lines: [1], metrics: [] });
    const series = (await metrics.consumerLag.get()).values.map((v) => [v.labels['topic'], v.labels['partition'], v.value]);
    expect(series).toEqual([['lines', '1', 7]]);
  });
});

describe('countPublished', () => {
  const record = (topic: string, n: number): ProducerRecord => ({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: String(i), value: 'v' })) });

  it('counts the messages of acknowledged sends per topic, not those of failed ones', async () => {
    const registry = createMetricsRegistry('s', { processMetrics: false });
    const metrics = kafkaMetrics(registry);
    let fail = false;
    const sent: ProducerRecord[] = [];
    const producer = {
      send: async (r: ProducerRecord): Promise<RecordMetadata[]> => {
        if (fail) throw new Error('broker away');
        sent.push(r);
        return [];
      },
      disconnect: async () => undefined,
    } as unknown as Producer;
    const counting = countPublished(producer, metrics);
    await counting.send(record('a', 3));
    await counting.send(record('a', 2));
    await counting.send(record('b', 1));
    fail = true;
    await expect(counting.send(record('a', 10))).rejects.toThrow('broker away');

    expect(sent).toHaveLength(3);
    const values = (await metrics.eventsPublished.get()).values.map((v) => [v.labels['topic'], v.value]);
    expect(values).toEqual([['a', 5], ['b', 1]]);
    // Everything else is the producer itself.
    expect(counting.disconnect).toBe(producer.disconnect);
  });
});
