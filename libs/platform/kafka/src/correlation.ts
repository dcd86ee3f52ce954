import type { KafkaMessage } from 'kafkajs';

/**
 * The correlation ids of a batch, for its log lines: the first event's, and how many distinct ones
 * the batch holds (a backfill batch usually has one, live traffic one per request).
 */
export function batchCorrelation(events: readonly { readonly correlationId: string }[]): { readonly correlationId?: string; readonly correlationIds: number } {
  const first = events[0]?.correlationId;
  const correlationIds = new Set(events.map((event) => event.correlationId)).size;
  return first === undefined ? { correlationIds } : { correlationId: first, correlationIds };
}

/** The correlation id a publisher put in a message's headers (readable even when its value is not). */
export function headerCorrelationId(message: Pick<KafkaMessage, 'headers'>): string | undefined {
  const value = message.headers?.['correlation-id'];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
