import type { Producer } from 'kafkajs';
import { CustomerErasureRequestedV1 } from '@seg/contracts-events';
import { publish } from '@seg/platform-kafka';
import type { ErasureRequest } from '../../application/customer-erasure';

/** Publishes an erasure request keyed by customer id, so that it follows the customer's earlier events in order per key. */
export function createErasurePublisher(producer: Producer, topicPrefix: string) {
  return async (request: ErasureRequest, correlationId: string): Promise<void> => {
    await publish(
      producer,
      CustomerErasureRequestedV1,
      [
        {
          key: request.customerId,
          event: CustomerErasureRequestedV1.create(
            { customerId: request.customerId, requestedAt: request.requestedAt, requestedBy: request.requestedBy },
            { correlationId, producer: 'ingest-service' },
          ),
        },
      ],
      topicPrefix,
    );
  };
}
