import type { Producer } from 'kafkajs';
import type { EventContract, EventEnvelope } from '@seg/contracts-events';

export interface Keyed<TEnvelope> {
  readonly key: string;
  readonly event: TEnvelope;
}

/**
 * Publishes events of one contract in as few requests as possible, each keyed (by customer for
 * customer topics) so that per-key order holds. Waits for all in-sync replicas.
 */
export async function publish<T extends string, V extends number, D>(
  producer: Producer,
  contract: EventContract<T, V, D>,
  events: readonly Keyed<EventEnvelope<T, V, D>>[],
  topicPrefix: string,
  chunkSize = 5_000,
): Promise<void> {
  for (let i = 0; i < events.length; i += chunkSize) {
    const slice = events.slice(i, i + chunkSize);
    await producer.send({
      topic: topicPrefix + contract.topic.name,
      acks: -1,
      messages: slice.map(({ key, event }) => ({
        key,
        value: JSON.stringify(event),
        headers: { 'event-type': event.type, 'event-version': String(event.version), 'correlation-id': event.correlationId },
      })),
    });
  }
}
