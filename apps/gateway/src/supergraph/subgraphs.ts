/*
 * The subgraphs the gateway federates. The gateway imports their SDL (and nothing else) from the
 * services so that the compose tool, the composition test and the committed supergraph all derive
 * from the one schema each service serves.
 */
/* eslint-disable @nx/enforce-module-boundaries -- SDL-only import: the supergraph is composed from the services' own descriptors */
import type { SubgraphDescriptor } from '@seg/platform-subgraph';
import { ingestSubgraph } from '../../../ingest-service/src/adapters/graphql/schema';
import { rfmSubgraph } from '../../../rfm-service/src/adapters/graphql/schema';
import { clusteringSubgraph } from '../../../clustering-service/src/adapters/graphql/schema';
import { profilingSubgraph } from '../../../profiling-service/src/adapters/graphql/schema';
/* eslint-enable @nx/enforce-module-boundaries */

/** Every subgraph in the supergraph, in data-flow order. */
export const SUBGRAPHS: readonly SubgraphDescriptor[] = [ingestSubgraph, rfmSubgraph, clusteringSubgraph, profilingSubgraph];

/** Names of the subgraphs, as they appear in the supergraph's `join__Graph` enum. */
export type SubgraphName = 'ingest' | 'rfm' | 'clustering' | 'profiling';
