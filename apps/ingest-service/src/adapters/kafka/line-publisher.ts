import type { Producer } from 'kafkajs';
import { TransactionLineRecordedV2, transactionLineEvents } from '@seg/contracts-events';
import { publish } from '@seg/platform-kafka';
import type { AttributedLine } from '../../application/import-lines';

/**
 * Publishes accepted lines, one event per customer of the batch (keyed by customer); the
 * correlation id is the import job's id for files, the caller's otherwise.
 */
export function createLinePublisher(producer: Producer, topicPrefix: string, source: 'csv' | 'api' | 'stream') {
  return async (jobId: string, lines: readonly AttributedLine[]): Promise<void> => {
    // File lines keep their line numbers; API and stream lines have none.
    const events = transactionLineEvents(
      source === 'csv' ? lines : lines.map((line) => ({ ...line, lineNumber: null })),
      { kind: source, importJobId: source === 'csv' ? jobId : null },
      { correlationId: jobId, producer: 'ingest-service' },
    );
    await publish(producer, TransactionLineRecordedV2, events.map((event) => ({ key: event.data.customerId, event })), topicPrefix);
  };
}
