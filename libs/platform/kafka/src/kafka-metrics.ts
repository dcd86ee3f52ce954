import type { Producer } from 'kafkajs';
import { counter, gauge, histogram, type Counter, type Gauge, type Histogram, type MetricsRegistry } from '@seg/platform-observability';

/** The Kafka metrics of one process (names and meaning: docs/observability.md). */
export interface KafkaMetrics {
  readonly eventsHandled: Counter<'topic'>;
  readonly batchSize: Histogram<'topic'>;
  readonly batchDuration: Histogram<'topic'>;
  readonly handlerErrors: Counter<'topic'>;
  readonly deadLetters: Counter<'topic' | 'code'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly consumerRunning: Gauge<'group'>;
  readonly eventsPublished: Counter<'topic'>;
}

// Batches run from one message (live traffic) to a full fetch of a backfill.
const BATCH_SIZE_BUCKETS = [1, 10, 50, 100, 500, 1_000, 2_500, 5_000, 10_000];
const BATCH_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The Kafka metrics in a registry, created on first use (consumers and producers of one process share them). */
export function kafkaMetrics(registry: MetricsRegistry): KafkaMetrics {
  return {
    eventsHandled: counter(registry, { name: 'seg_kafka_events_handled_total', help: 'Events handed to a handler that completed (offsets committed after)', labelNames: ['topic'] }),
    batchSize: histogram(registry, { name: 'seg_kafka_batch_size', help: 'Messages per fetched batch, undecodable ones included', labelNames: ['topic'], buckets: BATCH_SIZE_BUCKETS }),
    batchDuration: histogram(registry, {
      name: 'seg_kafka_batch_duration_seconds',
      help: 'Time to decode, dead-letter, handle and commit a batch that completed',
      labelNames: ['topic'],
      buckets: BATCH_SECONDS_BUCKETS,
    }),
    handlerErrors: counter(registry, { name: 'seg_kafka_handler_errors_total', help: 'Batches whose handler threw (the batch is retried)', labelNames: ['topic'] }),
    deadLetters: counter(registry, { name: 'seg_kafka_dead_letters_total', help: 'Undecodable messages sent to the dead-letter topic', labelNames: ['topic', 'code'] }),
    consumerLag: gauge(registry, { name: 'seg_kafka_consumer_lag', help: 'Messages not yet handled: high watermark minus committed offset, as of the last batch', labelNames: ['topic', 'partition'] }),
    consumerRunning: gauge(registry, { name: 'seg_kafka_consumer_running', help: '1 while the consumer is connected and a member of its group', labelNames: ['group'] }),
    eventsPublished: counter(registry, { name: 'seg_kafka_events_published_total', help: 'Messages the broker acknowledged', labelNames: ['topic'] }),
  };
}

/**
 * A partition's lag from what a fetched batch already carries: its high watermark (the offset the
 * next produced message will get) minus the offset the group has committed. Never negative.
 */
export function consumerLag(highWatermark: string, committedOffset: string): number {
  const lag = BigInt(highWatermark) - BigInt(committedOffset);
  return lag > 0n ? Number(lag) : 0;
}

/**
 * The lag series of one group member. After a rebalance it drops the partitions it no longer
 * owns, so that a partition's lag is reported by its current owner only.
 */
export function partitionLag(metric: KafkaMetrics['consumerLag']) {
  const owned = new Map<string, { topic: string; partition: string }>();
  return {
    set(topic: string, partition: number, lag: number): void {
      const labels = { topic, partition: String(partition) };
      owned.set(`${topic}/${partition}`, labels);
      metric.set(labels, lag);
    },
    keepOnly(assignment: Readonly<Record<string, readonly number[] | undefined>>): void {
      for (const [key, labels] of owned) {
        if (assignment[labels.topic]?.includes(Number(labels.partition))) continue;
        metric.remove(labels);
        owned.delete(key);
      }
    },
  };
}

/**
 * The same producer, counting the messages of every acknowledged send per topic. Applied where
 * producers are connected, so that every publisher (dead letters included) is counted.
 */
export function countPublished(producer: Producer, metrics: KafkaMetrics): Producer {
  return {
    ...producer,
    send: async (record) => {
      const result = await producer.send(record);
      metrics.eventsPublished.inc({ topic: record.topic }, record.messages.length);
      return result;
    },
  };
}
