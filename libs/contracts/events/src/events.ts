import { z } from 'zod';
import { defineEvent, type DataOf, type EnvelopeOf } from './define-event';
import { TOPICS } from './topics';

const isoInstant = z.iso.datetime();
const customerId = z.string().min(1).max(64);
const milli = z.number().int();
const lineSource = z.enum(['csv', 'api', 'stream']);

/**
 * A shop's live input: one transaction line as the shop recorded it. Ingest validates it with the
 * same rules as a CSV row; a line it cannot accept goes to the dead-letter topic with the reason.
 */
export const RawTransactionSubmittedV1 = defineEvent(
  'RawTransactionSubmitted',
  1,
  TOPICS.rawTransactionV1,
  z.object({
    invoiceNo: z.string().min(1).max(32),
    stockCode: z.string().max(64),
    description: z.string().max(512).nullish(),
    quantity: z.number().int(),
    /** '2011-12-09 12:50:00', ISO 8601, or '12/9/2011 12:50'. */
    invoiceDate: z.string().min(1).max(32),
    /** A decimal string such as '2.55', so that money stays exact. */
    unitPrice: z.string().min(1).max(32),
    customerId,
    country: z.string().max(64).nullish(),
  }),
);

/** The fields of an accepted, normalised source line, in every version of its event. */
const lineFields = {
  lineId: z.string().regex(/^[0-9a-f]{64}$/, 'lineId must be 64 lowercase hex characters'),
  invoiceNo: z.string().min(1).max(32),
  stockCode: z.string().max(64),
  description: z.string().max(512),
  quantity: z.number().int(),
  invoiceDate: isoInstant,
  unitPriceMilli: milli,
  country: z.string().max(64),
};

/** An accepted source line. Its `lineId` is its identity: a replay carries the same id. Superseded by v2 (one customer's lines per message); still read. */
export const TransactionLineRecordedV1 = defineEvent(
  'TransactionLineRecorded',
  1,
  TOPICS.transactionLineV1,
  z.object({
    ...lineFields,
    customerId,
    source: z.object({ kind: lineSource, importJobId: z.string().nullable(), lineNumber: z.number().int().nullable() }),
  }),
);

/** Most lines one v2 or v3 event carries (about 300 and 160 bytes each: well under Kafka's 1 MiB per message). */
export const MAX_LINES_PER_EVENT = 1_000;

/**
 * Accepted source lines of one customer from one source, in source order (superseded by v3, which
 * carries the same lines column by column; still read, through `upcastTransactionLinesV2`): v1 carried one line per
 * message, which made a backfill cost a Kafka message, an envelope and a decode per line. The
 * producer groups a batch's lines by customer (key and partition as in v1, so per-customer order
 * holds) and splits a group above {@link MAX_LINES_PER_EVENT}. Each line keeps its `lineId`, so a
 * replay in any grouping is recognised line by line. v1 events are read through
 * `upcastTransactionLineV1`.
 */
const transactionLinesV2 = z.object({
  customerId,
  source: z.object({ kind: lineSource, importJobId: z.string().nullable() }),
  lines: z
    .array(
      z.object({
        ...lineFields,
        /** The line's number in its file (CSV imports), else null. */
        lineNumber: z.number().int().nullable(),
      }),
    )
    .min(1)
    .max(MAX_LINES_PER_EVENT),
});

export const TransactionLineRecordedV2 = defineEvent('TransactionLineRecorded', 2, TOPICS.transactionLineV2, transactionLinesV2);

/**
 * The same event as {@link TransactionLineRecordedV2}, for lines of live input (source kind 'api'
 * or 'stream'), on a topic of its own: consumers read it with a consumer of its own, so that a
 * shop's live transactions are not queued behind the lines of an import.
 */
export const LiveTransactionLineRecordedV2 = defineEvent('TransactionLineRecorded', 2, TOPICS.liveTransactionLineV2, transactionLinesV2);

/**
 * A column of a columnar payload: an array whose every element passes `ok`, checked in one plain
 * loop rather than a schema per element (zod's per-value cost was most of the rfm service's
 * decoding of a backfill), the first bad element named by its index.
 */
function column<T>(what: string, ok: (value: unknown) => boolean) {
  return z
    .custom<T[]>((value) => Array.isArray(value), { message: 'must be an array' })
    .superRefine((values, ctx) => {
      for (let i = 0; i < values.length; i++) {
        if (!ok(values[i])) {
          ctx.addIssue({ code: 'custom', message: `must be ${what}`, path: [i] });
          return;
        }
      }
    });
}
const stringUpTo = (max: number) => (value: unknown) => typeof value === 'string' && value.length <= max;
const integer = (value: unknown) => Number.isSafeInteger(value);

/** The per-line columns of a v3 event, each with one element per line. */
const LINE_COLUMNS = ['invoice', 'stockCode', 'description', 'quantity', 'unitPriceMilli', 'country', 'lineNumber'] as const;

/**
 * Accepted source lines of one customer from one source, in source order, column by column: the
 * same lines, grouping and keys as v2 (one customer per message, split above
 * {@link MAX_LINES_PER_EVENT}), in about half the bytes and a third of the decoding. A line is the
 * i-th element of every column; the line ids travel end to end in one string (64 hex characters
 * each), and an invoice's number and date once per event (`invoices`, which `lines.invoice`
 * indexes): the lines of an invoice share both. Same rules per field as v2.
 */
const transactionLinesV3 = z
  .object({
    customerId,
    source: z.object({ kind: lineSource, importJobId: z.string().nullable() }),
    invoices: z
      .array(z.object({ invoiceNo: lineFields.invoiceNo, invoiceDate: isoInstant }))
      .min(1)
      .max(MAX_LINES_PER_EVENT),
    lines: z.object({
      /** The lines' ids, end to end: line i's is characters 64i to 64i + 63. */
      lineIds: z
        .string()
        .max(64 * MAX_LINES_PER_EVENT, `at most ${MAX_LINES_PER_EVENT} lines per event`)
        .regex(/^(?:[0-9a-f]{64})+$/, 'must be the lines\' ids end to end, 64 lowercase hex characters each'),
      /** Each line's invoice: an index into `invoices`. */
      invoice: column<number>('an index into invoices', (value) => Number.isSafeInteger(value) && (value as number) >= 0),
      stockCode: column<string>('a string of at most 64 characters', stringUpTo(64)),
      description: column<string>('a string of at most 512 characters', stringUpTo(512)),
      quantity: column<number>('an integer', integer),
      unitPriceMilli: column<number>('an integer', integer),
      country: column<string>('a string of at most 64 characters', stringUpTo(64)),
      /** The line's number in its file (CSV imports), else null. */
      lineNumber: column<number | null>('an integer or null', (value) => value === null || Number.isSafeInteger(value)),
    }),
  })
  .superRefine((data, ctx) => {
    const lines = data.lines.lineIds.length / 64;
    for (const name of LINE_COLUMNS) {
      const length = data.lines[name].length;
      if (length !== lines) ctx.addIssue({ code: 'custom', message: `has ${length} elements for ${lines} lines`, path: ['lines', name] });
    }
    const invoices = data.invoices.length;
    const bad = data.lines.invoice.findIndex((index) => index >= invoices);
    if (bad >= 0) ctx.addIssue({ code: 'custom', message: `must be an index into invoices (below ${invoices})`, path: ['lines', 'invoice', bad] });
  });

export const TransactionLineRecordedV3 = defineEvent('TransactionLineRecorded', 3, TOPICS.transactionLineV3, transactionLinesV3);

/** The same event as {@link TransactionLineRecordedV3}, for lines of live input, on the live lane's topic (as {@link LiveTransactionLineRecordedV2}). */
export const LiveTransactionLineRecordedV3 = defineEvent('TransactionLineRecorded', 3, TOPICS.liveTransactionLineV3, transactionLinesV3);

const partitionCount = z.number().int().positive().max(10_000);
const partitionNumber = z.number().int().nonnegative().max(9_999);

/**
 * Punctuation of the import lane: the import job's lines in this partition end here. Once an
 * import is over (completed or cancelled), ingest publishes one to every partition of the import
 * lane's topic, after the job's last line, so a consumer that has handled it has handled every
 * line of the job in that partition. `partitions` is how many the topic had: a consumer knows how
 * many markers make the whole import.
 */
const importLinesEndedV1 = z
  .object({ importJobId: z.string().min(1).max(64), partition: partitionNumber, partitions: partitionCount })
  .refine((d) => d.partition < d.partitions, { message: 'partition must be below partitions', path: ['partition'] });

export const ImportLinesEndedV1 = defineEvent('ImportLinesEnded', 1, TOPICS.transactionLineV3, importLinesEndedV1);

/**
 * The same marker on the v2 lines topic, where an ingest from before v3 put it after its v2
 * lines: read there too, so that an import running while the services are upgraded still ends.
 */
export const ImportLinesEndedOnV2LinesV1 = defineEvent('ImportLinesEnded', 1, TOPICS.transactionLineV2, importLinesEndedV1);

/**
 * Punctuation of the metric stream: every metric change that the rfm service published for the
 * import's lines of line partition `linePartition` precedes this marker in this metrics partition.
 * rfm publishes one to every partition of the metrics topic once it has handled the
 * ImportLinesEnded of a line partition. A consumer that has met the markers of all
 * `linePartitions` line partitions in all `partitions` metrics partitions has applied every metric
 * change of the import. `changed` is false when rfm stored no new line of the import in that line
 * partition (a file imported again), true when it did or cannot tell.
 */
export const ImportMetricsEndedV1 = defineEvent(
  'ImportMetricsEnded',
  1,
  TOPICS.customerMetricsChangedV1,
  z
    .object({
      importJobId: z.string().min(1).max(64),
      linePartition: partitionNumber,
      linePartitions: partitionCount,
      partition: partitionNumber,
      partitions: partitionCount,
      changed: z.boolean(),
    })
    .refine((d) => d.linePartition < d.linePartitions && d.partition < d.partitions, { message: 'partition numbers must be below their counts' }),
);

/** A customer's purchase aggregates, as recomputed by the rfm service. */
const customerMetricsV1 = z.object({
  customerId,
  country: z.string(),
  firstPurchaseAt: isoInstant,
  lastPurchaseAt: isoInstant,
  frequency: z.number().int().positive(),
  monetaryMilli: milli,
  cancelledMilli: milli,
  /**
   * How many times the rfm service changed this customer's aggregates, this one included: it
   * only grows, so a consumer keeps the event with the highest revision and drops an older one
   * that arrives late (the import and live lanes publish independently). Absent from events
   * published before it existed: a consumer applies those to a customer it holds no revision
   * for, and drops them once it holds one (they can only be older).
   */
  revision: z.number().int().positive().optional(),
  /** The analysis date the rfm service used when it published this change. */
  asOf: isoInstant,
});

/** A customer's aggregates after a batch of imported lines (the import lane) touched them. */
export const CustomerMetricsChangedV1 = defineEvent('CustomerMetricsChanged', 1, TOPICS.customerMetricsChangedV1, customerMetricsV1);

/**
 * The same event as {@link CustomerMetricsChangedV1}, after a batch of live lines (the
 * recordTransactions mutation, the shop's stream), on a topic of its own: clustering and profiling
 * read it with consumers of their own, so that a live change is not queued behind an import's.
 */
export const LiveCustomerMetricsChangedV1 = defineEvent('CustomerMetricsChanged', 1, TOPICS.liveCustomerMetricsChangedV1, customerMetricsV1);

const rfmTriple = z.object({ recencyDays: z.number(), frequency: z.number(), monetary: z.number() });

/** A newly trained segmentation model: enough for profiling to name and describe its clusters. */
export const SegmentationModelTrainedV1 = defineEvent(
  'SegmentationModelTrained',
  1,
  TOPICS.segmentationModelTrainedV1,
  z.object({
    modelVersion: z.number().int().positive(),
    trainedAt: isoInstant,
    asOf: isoInstant,
    k: z.number().int().positive(),
    features: z.array(z.string()),
    inertia: z.number(),
    population: z.object({
      customers: z.number().int().nonnegative(),
      revenueMilli: milli,
      medians: rfmTriple,
      cutPoints: z.object({
        recency: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        frequency: z.tuple([z.number(), z.number(), z.number(), z.number()]),
        monetary: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      }),
    }),
    clusters: z.array(
      z.object({
        cluster: z.number().int().nonnegative(),
        size: z.number().int().nonnegative(),
        revenueMilli: milli,
        centroid: rfmTriple,
        medians: rfmTriple,
        topCountries: z.array(z.object({ country: z.string(), customers: z.number().int().nonnegative() })).max(10),
      }),
    ),
  }),
);

/** A customer's cluster under a model version, after a training run or an incremental placement. */
export const CustomerSegmentAssignedV1 = defineEvent(
  'CustomerSegmentAssigned',
  1,
  TOPICS.customerSegmentAssignedV1,
  z.object({
    customerId,
    modelVersion: z.number().int().positive(),
    cluster: z.number().int().nonnegative(),
    previousCluster: z.number().int().nonnegative().nullable(),
    distance: z.number().nonnegative(),
    reason: z.enum(['training', 'placement']),
  }),
);

/**
 * An admin asked to erase a customer (GDPR art. 17). Every service deletes the customer's rows on
 * receipt; ingest also remembers a digest of the id so that a later import or replay of the
 * customer's lines does not bring them back.
 */
export const CustomerErasureRequestedV1 = defineEvent(
  'CustomerErasureRequested',
  1,
  TOPICS.customerErasureRequestedV1,
  z.object({
    customerId,
    requestedAt: isoInstant,
    /** Who asked, as the gateway authenticated them (a role, never a person's name). */
    requestedBy: z.string().max(64),
  }),
);

/** A message that a consumer could not decode, kept with the reason and its origin. */
export const MessageDeadLetteredV1 = defineEvent(
  'MessageDeadLettered',
  1,
  TOPICS.deadLetterV1,
  z.object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    key: z.string().nullable(),
    valueBase64: z.string().nullable(),
    consumerGroup: z.string(),
    code: z.string(),
    reason: z.string(),
  }),
);

export type RawTransactionSubmitted = EnvelopeOf<typeof RawTransactionSubmittedV1>;
export type TransactionLineRecorded = EnvelopeOf<typeof TransactionLineRecordedV1>;
export type TransactionLineData = DataOf<typeof TransactionLineRecordedV1>;
export type TransactionLinesRecordedV2 = EnvelopeOf<typeof TransactionLineRecordedV2>;
export type TransactionLinesDataV2 = DataOf<typeof TransactionLineRecordedV2>;
/** The current transaction-lines event (v3, columnar): what producers publish and consumers handle, older versions upcast. */
export type TransactionLinesRecorded = EnvelopeOf<typeof TransactionLineRecordedV3>;
export type TransactionLinesData = DataOf<typeof TransactionLineRecordedV3>;
export type ImportLinesEnded = EnvelopeOf<typeof ImportLinesEndedV1>;
export type ImportMetricsEnded = EnvelopeOf<typeof ImportMetricsEndedV1>;
export type CustomerMetricsChanged = EnvelopeOf<typeof CustomerMetricsChangedV1>;
export type CustomerMetricsData = DataOf<typeof CustomerMetricsChangedV1>;
export type SegmentationModelTrained = EnvelopeOf<typeof SegmentationModelTrainedV1>;
export type SegmentationModelData = DataOf<typeof SegmentationModelTrainedV1>;
export type CustomerSegmentAssigned = EnvelopeOf<typeof CustomerSegmentAssignedV1>;
export type CustomerSegmentAssignedData = DataOf<typeof CustomerSegmentAssignedV1>;
export type CustomerErasureRequested = EnvelopeOf<typeof CustomerErasureRequestedV1>;
export type CustomerErasureRequestedData = DataOf<typeof CustomerErasureRequestedV1>;
export type MessageDeadLettered = EnvelopeOf<typeof MessageDeadLetteredV1>;
