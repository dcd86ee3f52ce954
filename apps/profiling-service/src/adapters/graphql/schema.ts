import { gql } from 'graphql-tag';
import type { SubgraphDescriptor } from '@seg/platform-subgraph';

/** The profiling subgraph: named segments with their profiles, and coupon recommendations. */
export const profilingSubgraph: SubgraphDescriptor = {
  name: 'profiling',
  url: 'http://127.0.0.1:4004/graphql',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

    type Customer @key(fields: "id") {
      id: ID!
      segment: Segment
      couponRecommendations: [CouponRecommendation!]!
    }

    "A cluster of the current segmentation model, named after where its centroid lies."
    type Segment {
      id: ID!
      modelVersion: Int!
      cluster: Int!
      name: String!
      "The named RFM segment the centroid scores into."
      rfmSegment: String!
      description: String!
      reasons: [String!]!
      size: Int!
      customerShare: Float!
      revenueShare: Float!
      typicalRecencyDays: Float!
      typicalFrequency: Float!
      typicalMonetary: Float!
      "Up to three countries with the most customers in the segment."
      topCountries: [CountryCount!]!
      coupon: CouponRule!
    }

    type CountryCount {
      country: String!
      customers: Int!
    }

    type CouponRule {
      segment: String!
      offer: String!
      kind: String!
      discountPercent: Float!
      minimumBasket: Float!
      validityDays: Int!
      channel: String!
    }

    type CouponRecommendation {
      segmentName: String!
      coupon: CouponRule!
      "True when the customer is in the control group of the default campaign."
      holdout: Boolean!
    }

    type Query {
      "Segments of the current (latest) model, largest first."
      segments: [Segment!]!
    }
  `,
};
