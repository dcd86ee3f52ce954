// Every operation the dashboard sends, with the shapes of their answers. Only the gateway's
// public API is used (apps/gateway/supergraph.graphql); nothing is imported from the services.
import { gql, type TypedDocumentNode } from '@apollo/client';

export interface CouponRule {
  readonly segment: string;
  readonly offer: string;
  readonly kind: string;
  readonly discountPercent: number;
  readonly minimumBasket: number;
  readonly validityDays: number;
  readonly channel: string;
}

export interface SegmentSummary {
  readonly id: string;
  readonly modelVersion: number;
  readonly cluster: number;
  readonly name: string;
  readonly rfmSegment: string;
  readonly description: string;
  readonly size: number;
  readonly customerShare: number;
  readonly revenueShare: number;
  readonly typicalRecencyDays: number;
  readonly typicalFrequency: number;
  readonly typicalMonetary: number;
  readonly coupon: CouponRule;
}

export interface ModelSummary {
  readonly version: number;
  readonly k: number;
  readonly trainedAt: string;
  readonly customers: number;
  readonly silhouette: number | null;
}

export interface UserError {
  readonly field: readonly string[] | null;
  readonly code: string;
  readonly message: string;
}

export interface Rfm {
  readonly recencyDays: number;
  readonly frequency: number;
  readonly monetary: number;
  readonly r: number;
  readonly f: number;
  readonly m: number;
  readonly segment: string;
}

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export type OrderField = 'ID' | 'RECENCY_DAYS' | 'FREQUENCY' | 'MONETARY' | 'LAST_PURCHASE_AT';
export type OrderDirection = 'ASC' | 'DESC';
export interface CustomerOrder {
  readonly field: OrderField;
  readonly direction: OrderDirection;
}

const COUPON_FIELDS = gql`
  fragment CouponFields on CouponRule {
    segment
    offer
    kind
    discountPercent
    minimumBasket
    validityDays
    channel
  }
`;

const SEGMENT_SUMMARY_FIELDS = gql`
  fragment SegmentSummaryFields on Segment {
    id
    modelVersion
    cluster
    name
    rfmSegment
    description
    size
    customerShare
    revenueShare
    typicalRecencyDays
    typicalFrequency
    typicalMonetary
    coupon {
      ...CouponFields
    }
  }
  ${COUPON_FIELDS}
`;

export interface OverviewData {
  readonly segments: readonly SegmentSummary[];
  readonly rfmSummary: { readonly customers: number; readonly asOf: string | null };
  readonly segmentationModels: readonly ModelSummary[];
}

export const OVERVIEW_QUERY: TypedDocumentNode<OverviewData, Record<string, never>> = gql`
  query Overview {
    segments {
      ...SegmentSummaryFields
    }
    rfmSummary {
      customers
      asOf
    }
    segmentationModels {
      version
      k
      trainedAt
      customers
      silhouette
    }
  }
  ${SEGMENT_SUMMARY_FIELDS}
`;

export interface KSweepPoint {
  readonly k: number;
  readonly inertia: number;
  readonly silhouette: number;
}

export interface ModelDetail extends ModelSummary {
  readonly proposedK: number | null;
  readonly proposalReasons: readonly string[];
  readonly kSweep: readonly KSweepPoint[];
  readonly projection: {
    readonly explainedVarianceRatio: readonly number[];
    readonly points: readonly { readonly customerId: string; readonly x: number; readonly y: number; readonly cluster: number }[];
    readonly centroids: readonly { readonly cluster: number; readonly x: number; readonly y: number }[];
  } | null;
}

export interface ChartsData {
  readonly segments: readonly SegmentSummary[];
  readonly segmentationModels: readonly ModelDetail[];
  readonly rfmSummary: {
    readonly customers: number;
    readonly asOf: string | null;
    readonly cutPoints: { readonly recency: readonly number[]; readonly frequency: readonly number[]; readonly monetary: readonly number[] } | null;
    readonly segments: readonly { readonly segment: string; readonly customers: number }[];
  };
}

export const CHARTS_QUERY: TypedDocumentNode<ChartsData, Record<string, never>> = gql`
  query Charts {
    segments {
      ...SegmentSummaryFields
    }
    segmentationModels {
      version
      k
      trainedAt
      customers
      silhouette
      proposedK
      proposalReasons
      kSweep {
        k
        inertia
        silhouette
      }
      projection {
        explainedVarianceRatio
        points {
          customerId
          x
          y
          cluster
        }
        centroids {
          cluster
          x
          y
        }
      }
    }
    rfmSummary {
      customers
      asOf
      cutPoints {
        recency
        frequency
        monetary
      }
      segments {
        segment
        customers
      }
    }
  }
  ${SEGMENT_SUMMARY_FIELDS}
`;

export interface CustomerRow {
  readonly id: string;
  readonly country: string | null;
  readonly rfm: (Rfm & { readonly lastPurchaseAt: string }) | null;
}

export interface CustomerPage {
  readonly totalCount: number;
  readonly pageInfo: PageInfo;
  readonly nodes: readonly CustomerRow[];
}

export interface DistributionData {
  readonly customers: {
    readonly totalCount: number;
    readonly pageInfo: PageInfo;
    readonly nodes: readonly { readonly id: string; readonly rfm: Rfm | null }[];
  };
}

/** One page of every customer's RFM values, for the distributions. */
export const DISTRIBUTION_PAGE_QUERY: TypedDocumentNode<DistributionData, { first: number; after: string | null }> = gql`
  query DistributionPage($first: Int!, $after: String) {
    customers(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        rfm {
          recencyDays
          frequency
          monetary
          r
          f
          m
          segment
        }
      }
    }
  }
`;

export interface SegmentDetail extends SegmentSummary {
  readonly reasons: readonly string[];
  readonly topCountries: readonly { readonly country: string; readonly customers: number }[];
  readonly nameOverridden: boolean;
  readonly couponOverridden: boolean;
}

const SEGMENT_DETAIL_FIELDS = gql`
  fragment SegmentDetailFields on Segment {
    ...SegmentSummaryFields
    reasons
    topCountries {
      country
      customers
    }
    nameOverridden
    couponOverridden
  }
  ${SEGMENT_SUMMARY_FIELDS}
`;

export const SEGMENT_QUERY: TypedDocumentNode<{ readonly segment: SegmentDetail | null }, { id: string }> = gql`
  query SegmentDetail($id: ID!) {
    segment(id: $id) {
      ...SegmentDetailFields
    }
  }
  ${SEGMENT_DETAIL_FIELDS}
`;

export interface SegmentCustomersVariables {
  id: string;
  first: number;
  after: string | null;
  orderBy: CustomerOrder;
  search: string | null;
}

export const SEGMENT_CUSTOMERS_QUERY: TypedDocumentNode<{ readonly segment: { readonly id: string; readonly customers: CustomerPage } | null }, SegmentCustomersVariables> = gql`
  query SegmentCustomers($id: ID!, $first: Int!, $after: String, $orderBy: CustomerOrder, $search: String) {
    segment(id: $id) {
      id
      customers(first: $first, after: $after, orderBy: $orderBy, search: $search) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          country
          rfm {
            recencyDays
            frequency
            monetary
            r
            f
            m
            segment
            lastPurchaseAt
          }
        }
      }
    }
  }
`;

export interface SegmentPayload {
  readonly segment: SegmentDetail | null;
  readonly userErrors: readonly UserError[];
}

export interface CouponRuleInput {
  readonly offer: string;
  readonly kind: string;
  readonly discountPercent: number;
  readonly minimumBasket: number;
  readonly validityDays: number;
  readonly channel: string;
}

export const SET_SEGMENT_COUPON_RULE: TypedDocumentNode<{ readonly setSegmentCouponRule: SegmentPayload }, { id: string; rule: CouponRuleInput }> = gql`
  mutation SetSegmentCouponRule($id: ID!, $rule: CouponRuleInput!) {
    setSegmentCouponRule(id: $id, rule: $rule) {
      segment {
        ...SegmentDetailFields
      }
      userErrors {
        field
        code
        message
      }
    }
  }
  ${SEGMENT_DETAIL_FIELDS}
`;

export const RESET_SEGMENT_COUPON_RULE: TypedDocumentNode<{ readonly resetSegmentCouponRule: SegmentPayload }, { id: string }> = gql`
  mutation ResetSegmentCouponRule($id: ID!) {
    resetSegmentCouponRule(id: $id) {
      segment {
        ...SegmentDetailFields
      }
      userErrors {
        field
        code
        message
      }
    }
  }
  ${SEGMENT_DETAIL_FIELDS}
`;

export const RENAME_SEGMENT: TypedDocumentNode<{ readonly renameSegment: SegmentPayload }, { id: string; name: string }> = gql`
  mutation RenameSegment($id: ID!, $name: String!) {
    renameSegment(id: $id, name: $name) {
      segment {
        ...SegmentDetailFields
      }
      userErrors {
        field
        code
        message
      }
    }
  }
  ${SEGMENT_DETAIL_FIELDS}
`;

export interface CustomerDetail {
  readonly id: string;
  readonly country: string | null;
  readonly firstSeenAt: string | null;
  readonly lastSeenAt: string | null;
  readonly rfm: (Rfm & { readonly code: string; readonly returnRate: number; readonly firstPurchaseAt: string; readonly lastPurchaseAt: string; readonly asOf: string }) | null;
  readonly cluster: { readonly modelVersion: number; readonly cluster: number; readonly distance: number } | null;
  readonly segment: { readonly id: string; readonly name: string; readonly description: string } | null;
  readonly couponRecommendations: readonly {
    readonly segmentName: string;
    readonly holdout: boolean;
    readonly coupon: CouponRule;
    readonly campaign: { readonly id: string; readonly name: string; readonly endsAt: string | null } | null;
  }[];
}

export const CUSTOMER_QUERY: TypedDocumentNode<{ readonly customer: CustomerDetail | null }, { id: string }> = gql`
  query CustomerLookup($id: ID!) {
    customer(id: $id) {
      id
      country
      firstSeenAt
      lastSeenAt
      rfm {
        recencyDays
        frequency
        monetary
        returnRate
        firstPurchaseAt
        lastPurchaseAt
        r
        f
        m
        code
        segment
        asOf
      }
      cluster {
        modelVersion
        cluster
        distance
      }
      segment {
        id
        name
        description
      }
      couponRecommendations {
        segmentName
        holdout
        coupon {
          ...CouponFields
        }
        campaign {
          id
          name
          endsAt
        }
      }
    }
  }
  ${COUPON_FIELDS}
`;

/** Customer ids starting with what was typed, for the lookup's suggestions. */
export const CUSTOMER_SEARCH_QUERY: TypedDocumentNode<{ readonly customers: { readonly totalCount: number; readonly nodes: readonly { readonly id: string; readonly country: string | null }[] } }, { search: string }> = gql`
  query CustomerSearch($search: String!) {
    customers(filter: { search: $search }, first: 8, orderBy: { field: ID, direction: ASC }) {
      totalCount
      nodes {
        id
        country
      }
    }
  }
`;

export type ImportStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

export interface ImportJob {
  readonly id: string;
  readonly source: string;
  readonly status: ImportStatus;
  readonly linesRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly withoutCustomer: number;
  readonly bytesRead: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

const IMPORT_JOB_FIELDS = gql`
  fragment ImportJobFields on ImportJob {
    id
    source
    status
    linesRead
    accepted
    rejected
    withoutCustomer
    bytesRead
    startedAt
    finishedAt
    error
  }
`;

export const IMPORT_JOBS_QUERY: TypedDocumentNode<{ readonly importJobs: readonly ImportJob[] }, { first: number }> = gql`
  query ImportJobs($first: Int!) {
    importJobs(first: $first) {
      ...ImportJobFields
    }
  }
  ${IMPORT_JOB_FIELDS}
`;

export interface RejectedRow {
  readonly lineNumber: number;
  readonly code: string;
  readonly reason: string;
  readonly raw: string | null;
}

export const REJECTED_ROWS_QUERY: TypedDocumentNode<{ readonly importJob: { readonly id: string; readonly rejectedRows: readonly RejectedRow[] } | null }, { id: string; first: number }> = gql`
  query RejectedRows($id: ID!, $first: Int!) {
    importJob(id: $id) {
      id
      rejectedRows(first: $first) {
        lineNumber
        code
        reason
        raw
      }
    }
  }
`;

export const START_IMPORT: TypedDocumentNode<{ readonly startImport: { readonly job: ImportJob | null; readonly userErrors: readonly UserError[] } }, { path: string }> = gql`
  mutation StartImport($path: String!) {
    startImport(path: $path) {
      job {
        ...ImportJobFields
      }
      userErrors {
        field
        code
        message
      }
    }
  }
  ${IMPORT_JOB_FIELDS}
`;

export const CANCEL_IMPORT: TypedDocumentNode<{ readonly cancelImport: { readonly job: ImportJob | null; readonly userErrors: readonly UserError[] } }, { id: string }> = gql`
  mutation CancelImport($id: ID!) {
    cancelImport(id: $id) {
      job {
        ...ImportJobFields
      }
      userErrors {
        field
        code
        message
      }
    }
  }
  ${IMPORT_JOB_FIELDS}
`;

/** The cheapest question that needs a valid key: used to check a key at sign-in. */
export const WHO_AM_I_QUERY: TypedDocumentNode<{ readonly me: { readonly role: 'VIEWER' | 'MARKETER' | 'ADMIN' } }, Record<string, never>> = gql`
  query WhoAmI {
    me {
      role
    }
  }
`;