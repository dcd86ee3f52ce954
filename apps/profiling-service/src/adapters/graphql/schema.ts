import { gql } from 'graphql-tag';
import type { SubgraphDescriptor } from '@seg/platform-subgraph';

/** The profiling subgraph: named segments with their profiles, and coupon recommendations. */
export const profilingSubgraph: SubgraphDescriptor = {
  name: 'profiling',
  url: 'http://127.0.0.1:4004/graphql',
  typeDefs: gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

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
      "Customers in the segment when the model was trained (customers placed on it since: customers.totalCount)."
      size: Int!
      "size over the customers the model was trained on."
      customerShare: Float!
      "The segment's share of the revenue of the customers the model was trained on."
      revenueShare: Float!
      typicalRecencyDays: Float!
      typicalFrequency: Float!
      typicalMonetary: Float!
      "Up to three countries with the most customers in the segment."
      topCountries: [CountryCount!]!
      "The segment's coupon: marketing's override for this segment, else the default rule of its rfmSegment."
      coupon: CouponRule!
      "True when marketing renamed the segment (the name then survives retrains that keep the segment)."
      nameOverridden: Boolean!
      "True when the segment has a coupon rule of its own instead of its rfmSegment's default."
      couponOverridden: Boolean!
      "The customers currently assigned to this segment; search: customer ids starting with this text."
      customers(first: Int = 20, after: String, orderBy: CustomerOrder, search: String): CustomerConnection!
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
      "The running campaign this recommendation belongs to; null for the built-in default recommendation."
      campaign: CouponCampaign
      segmentName: String!
      coupon: CouponRule!
      "True when the customer is in the control group (holdout) of the campaign: no coupon, to measure uplift."
      holdout: Boolean!
    }

    "A coupon campaign for some segments (or all), with a control group to measure its uplift."
    type CouponCampaign {
      id: ID!
      name: String!
      "Segment.ids it targets; empty: every segment."
      segmentIds: [ID!]!
      "Share of the targeted customers held out (0..0.5)."
      holdoutShare: Float!
      "ISO 8601 instants to the second (2011-12-01T00:00:00Z); no end: open-ended."
      startsAt: String!
      endsAt: String
      createdAt: String!
      "The role that created it."
      createdBy: String!
      "Customers of the current model in the targeted segments now."
      targetedCustomers: Int!
      "How many of the targeted customers are held out (control group)."
      holdoutCustomers: Int!
    }

    "Coupon terms; discountPercent is above 0 exactly for kind percent."
    input CouponRuleInput {
      offer: String!
      "none, percent, free_shipping, points or gift"
      kind: String!
      discountPercent: Float!
      minimumBasket: Float!
      validityDays: Int!
      "email, sms, push or personal"
      channel: String!
    }

    input CreateCouponCampaignInput {
      name: String!
      "Segment.ids of the current model; none or empty: every segment."
      segmentIds: [ID!]
      holdoutShare: Float! = 0.1
      "ISO 8601 date or date-time with a zone; default: now."
      startsAt: String
      "After startsAt; none: open-ended."
      endsAt: String
    }

    type UserError @shareable {
      field: [String!]
      code: String!
      message: String!
    }

    type SegmentPayload {
      segment: Segment
      userErrors: [UserError!]!
    }

    type SetCouponRulePayload {
      rule: CouponRule
      userErrors: [UserError!]!
    }

    type CreateCouponCampaignPayload {
      campaign: CouponCampaign
      userErrors: [UserError!]!
    }

    "Marketing edits: the marketer role (or admin). Expected failures come back as userErrors (NOT_FOUND, NAME_TAKEN, INVALID)."
    type Mutation {
      "Renames a segment; names are unique within a model. Renaming it back to its computed name clears the override."
      renameSegment(id: ID!, name: String!): SegmentPayload!
      "Gives one segment a coupon rule of its own, over its rfmSegment's default."
      setSegmentCouponRule(id: ID!, rule: CouponRuleInput!): SegmentPayload!
      "Removes a segment's own coupon rule: the default of its rfmSegment applies again."
      resetSegmentCouponRule(id: ID!): SegmentPayload!
      "Changes the default coupon rule of a named RFM segment (Champions, Loyal, ...)."
      setCouponRule(rfmSegment: String!, rule: CouponRuleInput!): SetCouponRulePayload!
      createCouponCampaign(input: CreateCouponCampaignInput!): CreateCouponCampaignPayload!
    }

    enum OrderDirection {
      ASC
      DESC
    }

    enum CustomerOrderField {
      ID
      RECENCY_DAYS
      FREQUENCY
      MONETARY
      LAST_PURCHASE_AT
    }

    "Ties are broken by customer id (in the same direction). Without an orderBy: ID ASC."
    input CustomerOrder {
      field: CustomerOrderField!
      direction: OrderDirection! = DESC
    }

    "Conditions that all have to hold; money in currency units."
    input CustomerFilter {
      "A Segment.id of the current model."
      segment: ID
      "A named RFM segment (Champions, Loyal, ...)."
      rfmSegment: String
      country: String
      minMonetary: Float
      maxMonetary: Float
      minFrequency: Int
      maxRecencyDays: Int
      "Customer ids starting with this text."
      search: String
    }

    type PageInfo {
      hasNextPage: Boolean!
      hasPreviousPage: Boolean!
      startCursor: String
      endCursor: String
    }

    type CustomerEdge {
      cursor: String!
      node: Customer!
    }

    type CustomerConnection {
      edges: [CustomerEdge!]!
      nodes: [Customer!]!
      pageInfo: PageInfo!
      "Every customer that matches the filter, on all pages."
      totalCount: Int!
    }

    type Query {
      "Segments of the current (latest) model, largest first."
      segments: [Segment!]!
      "A segment of the current model by its id; null for an unknown id."
      segment(id: ID!): Segment
      "first: 1..250 (default 20); a bad argument is a BAD_USER_INPUT error with extensions.field"
      customers(filter: CustomerFilter, first: Int = 20, after: String, orderBy: CustomerOrder): CustomerConnection!
      "Every coupon campaign, the newest first."
      couponCampaigns: [CouponCampaign!]!
      "The default coupon strategy: one rule per named RFM segment."
      couponRules: [CouponRule!]!
    }
  `,
};
