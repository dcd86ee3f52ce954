import type { Producer } from 'kafkajs';
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
    if (bytes + Buffer.byteLength(value) > maxRequestBytes) await send();
    messages.push({ key, value, headers: { 'event-type': event.type, 'event-version': String(event.version), 'correlation-id': event.correlationId } });
    bytes += Buffer.byteLength(value) + Buffer.byteLength(key);
  }
  await send();
}
