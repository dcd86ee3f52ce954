import type { Producer } from 'kafkajs';
import { CustomerMetricsChangedV1 } from '@seg/contracts-events';
import type { CustomerMetrics } from '@seg/domain-rfm';
import { publish } from '@seg/platform-kafka';

/** Publishes customers' metrics keyed by customer id. */
export function createMetricsPublisher(producer: Producer, topicPrefix: string) {
  return async (metrics: readonly CustomerMetrics[], asOf: string, correlationId: string): Promise<void> => {
    await publish(
      producer,
      CustomerMetricsChangedV1,
      metrics.map((m) => ({
        key: m.customerId,
        event: CustomerMetricsChangedV1.create({ ...m, asOf }, { correlationId, producer: 'rfm-service' }),
      })),
      topicPrefix,
    );
  };
}
