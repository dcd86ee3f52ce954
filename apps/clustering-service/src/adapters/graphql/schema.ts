import { gql } from 'graphql-tag';
import type { SubgraphDescriptor } from '@seg/platform-subgraph';

/** The clustering subgraph: segmentation models and each customer's cluster. */
export const clusteringSubgraph: SubgraphDescriptor = {
  name: 'clustering',
  url: 'http://127.0.0.1:4003/graphql',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

    type Customer @key(fields: "id") {
      id: ID!
      cluster: ClusterAssignment
    }

    type ClusterAssignment {
      modelVersion: Int!
      cluster: Int!
      "Euclidean distance to the centroid in scaled feature space."
      distance: Float!
    }

    type SegmentationModel {
      version: Int!
      k: Int!
      trainedAt: String!
      customers: Int!
      inertia: Float!
      features: [String!]!
      seed: Int!
      "Mean silhouette of this model, -1..1 (higher is better); null for models trained before metrics were stored."
      silhouette: Float
      "Davies-Bouldin index (lower is better)."
      daviesBouldin: Float
      "Calinski-Harabasz index (higher is better)."
      calinskiHarabasz: Float
      "k = 2..10 (bounded by the customers) fitted on the same data, seed and restarts: the elbow and silhouette charts."
      kSweep: [KSweepPoint!]!
      "The k proposed from the sweep (elbow of the inertia, checked against the silhouette)."
      proposedK: Int
      proposalReasons: [String!]!
      "Customers and centroids on the first two principal components of the scaled features."
      projection: ModelProjection
    }

    type KSweepPoint {
      k: Int!
      inertia: Float!
      silhouette: Float!
      daviesBouldin: Float!
      calinskiHarabasz: Float!
    }

    type ModelProjection {
      "Variance along each of the two components."
      explainedVariance: [Float!]!
      "Share of the total variance along each of the two components."
      explainedVarianceRatio: [Float!]!
      "Up to 2,000 customers (a sample seeded with the model seed)."
      points: [ProjectedPoint!]!
      centroids: [ProjectedCentroid!]!
    }

    type ProjectedPoint {
      customerId: ID!
      x: Float!
      y: Float!
      cluster: Int!
    }

    type ProjectedCentroid {
      cluster: Int!
      x: Float!
      y: Float!
    }

    type UserError @shareable {
      field: [String!]
      code: String!
      message: String!
    }

    type TrainSegmentationPayload {
      model: SegmentationModel
      userErrors: [UserError!]!
    }

    type Query {
      segmentationModels: [SegmentationModel!]!
    }

    type Mutation {
      "Trains a new model version now (admin). k defaults to the service's configured k."
      trainSegmentation(k: Int): TrainSegmentationPayload!
    }
  `,
};
