import { requireRole, type GraphQLResolverMap, type SubgraphContext } from '@seg/platform-subgraph';
import type { Segmentation } from '../../application/segmentation';
import type { ClusteringRepository, StoredModel } from '../persistence/clustering.repository';

/** Models trained before metrics were stored answer with nulls and empty lists. */
export const modelFields = (m: StoredModel) => ({
  version: m.version,
  k: m.k,
  trainedAt: m.trainedAt,
  customers: m.customers,
  inertia: m.inertia,
  features: m.features,
  seed: m.seed,
  silhouette: m.metrics?.silhouette ?? null,
  daviesBouldin: m.metrics?.daviesBouldin ?? null,
  calinskiHarabasz: m.metrics?.calinskiHarabasz ?? null,
  kSweep: m.metrics?.kSweep ?? [],
  proposedK: m.metrics?.proposedK ?? null,
  proposalReasons: m.metrics?.proposalReasons ?? [],
  projection: m.metrics?.projection ?? null,
});

export function clusteringResolvers(repository: ClusteringRepository, segmentation: Segmentation): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      segmentationModels: async () => (await repository.models(50)).map(modelFields),
    },
    Mutation: {
      trainSegmentation: async (_: unknown, args: { k?: number | null }, context: SubgraphContext) => {
        requireRole(context, 'admin');
        const outcome = await segmentation.train(args.k ?? undefined, 'on-demand');
        return outcome.ok
          ? { model: modelFields(outcome.model), userErrors: [] }
          : { model: null, userErrors: [{ field: outcome.code === 'BAD_K' ? ['k'] : null, code: outcome.code, message: outcome.message }] };
      },
    },
    Customer: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      cluster: async (customer: { id: string }) => {
        const assignment = (await repository.assignmentsOf([customer.id])).get(customer.id);
        return assignment ? { modelVersion: assignment.modelVersion, cluster: assignment.cluster, distance: assignment.distance } : null;
      },
    },
  };
}
