import type { Kafka, Producer } from 'kafkajs';
import { CustomerMetricsChangedV1, ImportMetricsEndedV1, LiveCustomerMetricsChangedV1, type ImportLinesEnded } from '@seg/contracts-events';
import { publish, publishToEveryPartition } from '@seg/platform-kafka';
import type { RecordedMetrics } from '../../application/record-lines';

/**
 * Publishes customers' metrics keyed by customer id, with their revision, on the lane's topic: the
 * import lane's changes on seg.rfm.customer-metrics-changed.v1, the live lane's on a topic of their
 * own, so that clustering and profiling never queue a live change behind an import's. The lanes
 * publish independently, so a consumer keeps the highest revision of a customer and drops an older
 * one that arrives after it. (A revision is never 0 for a stored customer; it would be left out,
 * as the contract allows positive revisions only.)
 */
export function createMetricsPublisher(producer: Producer, topicPrefix: string, lane: 'import' | 'live') {
  const contract = lane === 'import' ? CustomerMetricsChangedV1 : LiveCustomerMetricsChangedV1;
  return async (metrics: readonly RecordedMetrics[], asOf: string, correlationId: string): Promise<void> => {
    await publish(
      producer,
      contract,
      metrics.map(({ revision, ...m }) => ({
        key: m.customerId,
        event: contract.create({ ...m, ...(revision > 0 ? { revision } : {}), asOf }, { correlationId, producer: 'rfm-service' }),
      })),
      topicPrefix,
    );
  };
}

/**
 * Passes the end of an import's lines in a line partition on to the metric stream: an
 * ImportMetricsEnded in every partition of the metrics topic. Called once the lines before the
 * marker in that partition are handled and their metrics published, so every metric change of
 * those lines precedes it in each metrics partition. `linePartition` is the partition the marker
 * was read from; `changedBy(job)` whether the import stored new lines there (ImportChanges).
 */
export function createImportEndForwarder(kafka: Kafka, producer: Producer, topicPrefix: string) {
  return async (events: readonly ImportLinesEnded[], linePartition: number, changedBy: (importJobId: string) => boolean): Promise<void> => {
    // A replayed marker is passed on again: consumers count partitions, not markers.
    const jobs = new Map(events.map((event) => [event.data.importJobId, event.data.partitions]));
    for (const [importJobId, linePartitions] of jobs) {
      const changed = changedBy(importJobId);
      await publishToEveryPartition(
        kafka,
        producer,
        ImportMetricsEndedV1,
        importJobId,
        (partition, partitions) => ImportMetricsEndedV1.create({ importJobId, linePartition, linePartitions, partition, partitions, changed }, { correlationId: importJobId, producer: 'rfm-service' }),
        topicPrefix,
      );
    }
  };
}
