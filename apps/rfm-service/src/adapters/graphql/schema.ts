import { gql } from 'graphql-tag';
import type { SubgraphDescriptor } from '@seg/platform-subgraph';

/** The rfm subgraph: each customer's recency, frequency and monetary value, and their scores. */
export const rfmSubgraph: SubgraphDescriptor = {
  name: 'rfm',
  url: 'http://127.0.0.1:4002/graphql',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

    type Customer @key(fields: "id") {
      id: ID!
      "Null until the customer has at least one purchase."
      rfm: Rfm
    }

    type Rfm {
      recencyDays: Int!
      frequency: Int!
      "Sum of purchase amounts, 2 decimals."
      monetary: Float!
      "Cancelled amount divided by monetary; can exceed 1."
      returnRate: Float!
      firstPurchaseAt: String!
      lastPurchaseAt: String!
      r: Int!
      f: Int!
      m: Int!
      code: String!
      "The named RFM segment of the code (Champions, Loyal, ...)."
      segment: String!
      asOf: String!
    }

    type CutPoints {
      recency: [Float!]!
      frequency: [Float!]!
      monetary: [Float!]!
    }

    type RfmSegmentCount {
      segment: String!
      customers: Int!
    }

    type RfmSummary {
      customers: Int!
      asOf: String
      cutPoints: CutPoints
      segments: [RfmSegmentCount!]!
    }

    type Query {
      rfmSummary: RfmSummary!
    }
  `,
};
