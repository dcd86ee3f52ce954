import type { Kafka, Producer } from 'kafkajs';
import { ImportLinesEndedV1, transactionLineContractOf, transactionLineEvents } from '@seg/contracts-events';
import { publish, publishToEveryPartition } from '@seg/platform-kafka';
import type { AttributedLine } from '../../application/import-lines';

/**
 * Publishes accepted lines, one event per customer of the batch (keyed by customer); the
 * correlation id is the import job's id for files, the caller's otherwise. Lines of CSV imports go
 * on the import lane (TransactionLineRecordedV3, column by column), live input ('api': recordTransactions, 'stream':
 * the shop's raw-transaction topic) on a lane of its own (LiveTransactionLineRecordedV3), so that
 * a live line is never queued behind an import's batches.
 */
export function createLinePublisher(producer: Producer, topicPrefix: string, source: 'csv' | 'api' | 'stream') {
  const contract = transactionLineContractOf(source);
  return async (jobId: string, lines: readonly AttributedLine[]): Promise<void> => {
    // File lines keep their line numbers; API and stream lines have none.
    const events = transactionLineEvents(
      source === 'csv' ? lines : lines.map((line) => ({ ...line, lineNumber: null })),
      { kind: source, importJobId: source === 'csv' ? jobId : null },
      { correlationId: jobId, producer: 'ingest-service' },
    );
    await publish(producer, contract, events.map((event) => ({ key: event.data.customerId, event })), topicPrefix);
  };
}

/**
 * Marks the end of an import's lines: an ImportLinesEnded event in every partition of the import
 * lane, after every line the job published there (its publishes have all been acknowledged).
 */
export function createImportEndPublisher(kafka: Kafka, producer: Producer, topicPrefix: string) {
  return async (jobId: string): Promise<void> => {
    await publishToEveryPartition(
      kafka,
      producer,
      ImportLinesEndedV1,
      jobId,
      (partition, partitions) => ImportLinesEndedV1.create({ importJobId: jobId, partition, partitions }, { correlationId: jobId, producer: 'ingest-service' }),
      topicPrefix,
    );
  };
}
