import type { SegmentationModelTrained } from '@seg/contracts-events';
import { nameClusters, settleSegmentIdentities, type PreviousSegment, type SegmentName } from '@seg/domain-profiling';

/** A named segment of a model version, with its identity across versions. */
export interface ProfiledSegment extends SegmentName {
  readonly key: string;
  readonly inheritedFrom: string | null;
  readonly matchDistance: number | null;
}

/**
 * Names every cluster of a trained model from where its centroid lies relative to the population
 * (never the same name twice in one model), then settles identities against the previous model:
 * a cluster whose centroid barely moved continues that segment, with its key and name.
 */
export function profileModel(event: SegmentationModelTrained, previous: readonly PreviousSegment[]): ProfiledSegment[] {
  const { clusters, population, modelVersion } = event.data;
  const summaries = clusters.map((c) => ({ cluster: c.cluster, size: c.size, revenueMilli: c.revenueMilli, centroid: c.centroid, medians: c.medians }));
  const names = nameClusters(summaries, population);
  const identities = settleSegmentIdentities(previous, summaries, names, (cluster) => `m${modelVersion}-${cluster}`);
  return identities.map((identity) => {
    const named = names.find((n) => n.cluster === identity.cluster);
    if (!named) throw new Error(`cluster ${identity.cluster} of model ${modelVersion} has no name`);
    const reasons =
      identity.inheritedFrom === null
        ? named.reasons
        : [...named.reasons, `continues segment "${identity.name}" of the previous model (centroid moved ${identity.distance?.toFixed(3)} on a log scale)`];
    return { ...named, name: identity.name, reasons, key: identity.key, inheritedFrom: identity.inheritedFrom, matchDistance: identity.distance };
  });
}
