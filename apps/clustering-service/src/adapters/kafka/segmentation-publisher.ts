import type { Producer } from 'kafkajs';
import { CustomerSegmentAssignedV1, SegmentationModelTrainedV1 } from '@seg/contracts-events';
import { publish } from '@seg/platform-kafka';
import type { Assignment, StoredModel } from '../persistence/clustering.repository';

const PRODUCER = 'clustering-service';

export function createModelPublisher(producer: Producer, topicPrefix: string) {
  return async (model: StoredModel, correlationId: string): Promise<void> => {
    await publish(producer, SegmentationModelTrainedV1, [
      {
        key: `model-${model.version}`,
        event: SegmentationModelTrainedV1.create(
          {
            modelVersion: model.version,
            trainedAt: model.trainedAt,
            asOf: model.asOf,
            k: model.k,
            features: [...model.features],
            inertia: model.inertia,
            population: {
              ...model.summary.population,
              cutPoints: {
                recency: [...model.summary.population.cutPoints.recency],
                frequency: [...model.summary.population.cutPoints.frequency],
                monetary: [...model.summary.population.cutPoints.monetary],
              },
            },
            clusters: model.summary.clusters.map((c) => ({
              cluster: c.cluster,
              size: c.size,
              revenueMilli: c.revenueMilli,
              centroid: c.centroid,
              medians: c.medians,
              topCountries: c.topCountries.map((t) => ({ ...t })),
            })),
          },
          { correlationId, producer: PRODUCER },
        ),
      },
    ], topicPrefix);
  };
}

export function createAssignmentPublisher(producer: Producer, topicPrefix: string) {
  return async (assignments: readonly (Assignment & { previousCluster: number | null })[], reason: 'training' | 'placement', correlationId: string): Promise<void> => {
    await publish(
      producer,
      CustomerSegmentAssignedV1,
      assignments.map((a) => ({
        key: a.customerId,
        event: CustomerSegmentAssignedV1.create(
          { customerId: a.customerId, modelVersion: a.modelVersion, cluster: a.cluster, previousCluster: a.previousCluster, distance: a.distance, reason },
          { correlationId, producer: PRODUCER },
        ),
      })),
      topicPrefix,
    );
  };
}
