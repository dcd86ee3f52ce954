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
