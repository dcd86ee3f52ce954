import type { RawTransactionSubmitted } from '@seg/contracts-events';
import { MAX_LINES_PER_CALL, recordTransactions, type RecordTransactionsPorts } from './record-transactions';

/**
 * Handles a batch of a shop's live transactions: the same validation and publishing as the
 * recordTransactions mutation. A line that cannot be accepted is handed to `reject` with the
 * reason (the consumer dead-letters it); the valid lines around it go through. A replayed event
 * carries the same line, so it is never counted twice downstream.
 */
export async function consumeRawTransactions(
  events: readonly RawTransactionSubmitted[],
  ports: RecordTransactionsPorts,
  reject: (event: RawTransactionSubmitted, code: string, reason: string) => void,
): Promise<number> {
  let accepted = 0;
  for (let start = 0; start < events.length; start += MAX_LINES_PER_CALL) {
    const part = events.slice(start, start + MAX_LINES_PER_CALL);
    const result = await recordTransactions(
      part.map((event) => event.data),
      part[0]?.correlationId ?? 'none',
      ports,
    );
    accepted += result.accepted;
    for (const error of result.userErrors) {
      const event = part[Number(error.field?.[1])];
      if (event) reject(event, error.code, error.message.replace(/^line \d+: /, ''));
    }
  }
  return accepted;
}
