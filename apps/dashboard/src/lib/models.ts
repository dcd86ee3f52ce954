// Picking the model and series the charts show.

export interface Versioned {
  readonly version: number;
}

/** The model the segments belong to, else the newest one. */
export function currentModel<M extends Versioned>(models: readonly M[], segmentsModelVersion: number | undefined): M | undefined {
  return models.find((m) => m.version === segmentsModelVersion) ?? [...models].sort((a, b) => b.version - a.version)[0];
}

export interface ProjectedPoint {
  readonly x: number;
  readonly y: number;
  readonly cluster: number;
}

export interface ClusterSeries<P extends ProjectedPoint> {
  readonly cluster: number;
  readonly name: string;
  readonly points: readonly P[];
}

/** The projection's points split by cluster, named after the segments (clusters without one keep their number). */
export function projectionSeries<P extends ProjectedPoint>(points: readonly P[], segments: readonly { readonly cluster: number; readonly name: string }[]): ClusterSeries<P>[] {
  const byCluster = new Map<number, P[]>();
  for (const p of points) byCluster.set(p.cluster, [...(byCluster.get(p.cluster) ?? []), p]);
  return [...byCluster.entries()]
    .sort(([a], [b]) => a - b)
    .map(([cluster, clusterPoints]) => ({ cluster, name: segments.find((s) => s.cluster === cluster)?.name ?? `cluster ${cluster}`, points: clusterPoints }));
}
