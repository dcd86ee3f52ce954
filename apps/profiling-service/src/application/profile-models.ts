import type { SegmentationModelTrained } from '@seg/contracts-events';
import { nameClusters, type SegmentName } from '@seg/domain-profiling';

/**
 * Names every cluster of each trained model from where its centroid lies relative to the
 * population (never the same name twice in one model), with the reasons in words.
 */
export function nameModel(event: SegmentationModelTrained): SegmentName[] {
  const { clusters, population } = event.data;
  return nameClusters(
    clusters.map((c) => ({ cluster: c.cluster, size: c.size, revenueMilli: c.revenueMilli, centroid: c.centroid, medians: c.medians })),
    population,
  );
}
