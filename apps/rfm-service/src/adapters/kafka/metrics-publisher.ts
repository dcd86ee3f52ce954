import type { Producer } from 'kafkajs';
import { CustomerMetricsChangedV1 } from '@seg/contracts-events';
import { publish } from '@seg/platform-kafka';
import type { RecordedMetrics } from '../../application/record-lines';

/**
 * Publishes customers' metrics keyed by customer id, with their revision: the import and live
 * lanes publish independently, so a consumer keeps the highest revision of a customer and drops an
 * older one that arrives after it. (A revision is never 0 for a stored customer; it would be left
 * out, as the contract allows positive revisions only.)
 */
export function createMetricsPublisher(producer: Producer, topicPrefix: string) {
  return async (metrics: readonly RecordedMetrics[], asOf: string, correlationId: string): Promise<void> => {
    await publish(
      producer,
      CustomerMetricsChangedV1,
      metrics.map(({ revision, ...m }) => ({
        key: m.customerId,
        event: CustomerMetricsChangedV1.create({ ...m, ...(revision > 0 ? { revision } : {}), asOf }, { correlationId, producer: 'rfm-service' }),
      })),
      topicPrefix,
    );
  };
}
