/**
 * Every topic the platform uses, with its partitioning. Customer-keyed topics have several
 * partitions so that a service scales out by adding consumers to its group; per-customer order
 * is kept because the key is the customer id.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly keyedBy: 'customer' | 'model' | 'source';
  readonly description: string;
}

export const TOPICS = {
  rawTransactionV1: {
    name: 'seg.ingest.raw-transaction.v1',
    partitions: 6,
    keyedBy: 'customer',
    description: "a shop's live input: one transaction line as the shop recorded it, validated by ingest",
  },
  transactionLineV1: {
    name: 'seg.ingest.transaction-line.v1',
    partitions: 6,
    keyedBy: 'customer',
    description: 'accepted, normalised transaction lines, one per message (superseded by v2; still read, through an upcaster)',
  },
  transactionLineV2: {
    name: 'seg.ingest.transaction-line.v2',
    partitions: 6,
    keyedBy: 'customer',
    description: 'accepted, normalised transaction lines of CSV imports, one object per line (superseded by v3; still read, through an upcaster, with the ImportLinesEnded markers of an ingest from before v3)',
  },
  transactionLineV3: {
    name: 'seg.ingest.transaction-line.v3',
    partitions: 6,
    keyedBy: 'customer',
    description: "accepted, normalised transaction lines of CSV imports, one customer's lines of a batch per message, column by column (live input has a lane of its own: seg.ingest.live-transaction-line.v3); once an import is over, an ImportLinesEnded marker in every partition",
  },
  liveTransactionLineV2: {
    name: 'seg.ingest.live-transaction-line.v2',
    partitions: 6,
    keyedBy: 'customer',
    description: 'accepted, normalised transaction lines from live input, one object per line (superseded by v3; still read, through an upcaster)',
  },
  liveTransactionLineV3: {
    name: 'seg.ingest.live-transaction-line.v3',
    partitions: 6,
    keyedBy: 'customer',
    description:
      "accepted, normalised transaction lines from live input (the recordTransactions mutation and the shop's raw-transaction topic), one customer's lines of a batch per message, column by column: a lane of their own, so that they never wait behind an import's lines",
  },
  customerMetricsChangedV1: {
    name: 'seg.rfm.customer-metrics-changed.v1',
    partitions: 6,
    keyedBy: 'customer',
    description: "a customer's purchase aggregates after a batch touched them; ImportMetricsEnded markers in every partition once an import's lines are all aggregated",
  },
  liveCustomerMetricsChangedV1: {
    name: 'seg.rfm.live-customer-metrics-changed.v1',
    partitions: 6,
    keyedBy: 'customer',
    description: "a customer's purchase aggregates after a batch of live lines touched them: a lane of their own, so that they never wait behind an import's metric changes",
  },
  segmentationModelTrainedV1: {
    name: 'seg.clustering.segmentation-model-trained.v1',
    partitions: 1,
    keyedBy: 'model',
    description: 'a new segmentation model version with its centroids and cluster summaries',
  },
  customerSegmentAssignedV1: {
    name: 'seg.clustering.customer-segment-assigned.v1',
    partitions: 6,
    keyedBy: 'customer',
    description: "a customer's cluster under a model version (after training or placement)",
  },
  customerErasureRequestedV1: {
    name: 'seg.ingest.customer-erasure-requested.v1',
    partitions: 6,
    keyedBy: 'customer',
    description: "an admin's request to erase a customer's personal data (GDPR art. 17); every service deletes what it holds",
  },
  deadLetterV1: {
    name: 'seg.dead-letter.v1',
    partitions: 1,
    keyedBy: 'source',
    description: 'messages a consumer could not decode, with the reason and where they came from',
  },
} as const satisfies Record<string, TopicSpec>;

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);
