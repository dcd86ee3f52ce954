export { type ScalingMethod, type FeatureOptions, type FittedScaler, fitScaler, transform, inverseTransform } from './scaling';
export { type KMeansOptions, type KMeansModel, fitKMeans, nearestCentroid, kmeansPlusPlus } from './kmeans';
export {
  type SilhouetteOptions,
  type SilhouetteResult,
  silhouetteSamples,
  silhouetteScore,
  silhouetteOfSample,
  daviesBouldinScore,
  calinskiHarabaszScore,
} from './quality-metrics';
export {
  type KSweepOptions,
  type KSweepEntry,
  type KSweep,
  type KProposal,
  kneedleElbow,
  proposeK,
  sweepK,
} from './k-sweep';
export { type Random, seededRandom, sampleIndices } from './random';
export { type PcaModel, fitPca, projectPca, symmetricEigen } from './pca';
