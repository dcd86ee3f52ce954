import type { Kafka, Producer } from 'kafkajs';
import type { EventContract, EventEnvelope } from '@seg/contracts-events';

export interface Keyed<TEnvelope> {
  readonly key: string;
  readonly event: TEnvelope;
}

/**
 * Bytes of message values per request. Kafka refuses a record batch above the broker's
 * message.max.bytes (1 MiB by default) per partition; a request never carries more than this in
 * all, so no partition's batch can reach the limit.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/**
 * Publishes events of one contract in as few requests as possible, each keyed (by customer for
 * customer topics) so that per-key order holds. Waits for all in-sync replicas.
 */
export async function publish<T extends string, V extends number, D>(
  producer: Producer,
  contract: EventContract<T, V, D>,
  events: readonly Keyed<EventEnvelope<T, V, D>>[],
  topicPrefix: string,
  maxRequestBytes = MAX_REQUEST_BYTES,
): Promise<void> {
  const topic = topicPrefix + contract.topic.name;
  let messages: { key: string; value: string; headers: Record<string, string> }[] = [];
  let bytes = 0;
  const send = async () => {
    if (messages.length === 0) return;
    await producer.send({ topic, acks: -1, messages });
    messages = [];
    bytes = 0;
  };
  for (const { key, event } of events) {
    const value = JSON.stringify(event);
    // Measured once: a backfill's values are about 120 MB of UTF-8 to scan.
    const size = Buffer.byteLength(value) + Buffer.byteLength(key);
    if (bytes + size > maxRequestBytes) await send();
    messages.push({ key, value, headers: { 'event-type': event.type, 'event-version': String(event.version), 'correlation-id': event.correlationId } });
    bytes += size;
  }
  await send();
}

/** How many partitions a topic has now, from the broker's metadata (an operator may have added some since it was created). */
export async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = topics.find((t) => t.name === topic)?.partitions.length ?? 0;
    if (count === 0) throw new Error(`topic ${topic} has no partitions`);
    return count;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Publishes a marker to every partition of the contract's topic, one event each, built by
 * `eventFor(partition, partitions)`: punctuation that every consumer of the topic meets in each
 * partition after what was published there before it. All in one request; waits for all in-sync
 * replicas. Returns how many partitions there were.
 */
export async function publishToEveryPartition<T extends string, V extends number, D>(
  kafka: Kafka,
  producer: Producer,
  contract: EventContract<T, V, D>,
  key: string,
  eventFor: (partition: number, partitions: number) => EventEnvelope<T, V, D>,
  topicPrefix: string,
): Promise<number> {
  const topic = topicPrefix + contract.topic.name;
  const partitions = await partitionCount(kafka, topic);
  const messages = Array.from({ length: partitions }, (_, partition) => {
    const event = eventFor(partition, partitions);
    return { key, partition, value: JSON.stringify(event), headers: { 'event-type': event.type, 'event-version': String(event.version), 'correlation-id': event.correlationId } };
  });
  await producer.send({ topic, acks: -1, messages });
  return partitions;
}
