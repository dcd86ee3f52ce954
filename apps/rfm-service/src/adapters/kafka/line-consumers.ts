import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import {
  CustomerErasureRequestedV1,
  ImportLinesEndedOnV2LinesV1,
  ImportLinesEndedV1,
  LiveTransactionLineRecordedV2,
  LiveTransactionLineRecordedV3,
  TransactionLineRecordedV1,
  TransactionLineRecordedV2,
  TransactionLineRecordedV3,
  upcastTransactionLineV1,
  upcastTransactionLinesV2,
  type CustomerErasureRequested,
  type ImportLinesEnded,
  type TransactionLinesRecorded,
} from '@seg/contracts-events';
import type { KafkaSettings } from '@seg/platform-config';
import { consumerReadiness, runConsumer, type FetchSizes, type HandlerContext, type RunningConsumer } from '@seg/platform-kafka';
import type { MetricsRegistry } from '@seg/platform-observability';

/** What the handlers get of a batch's context: its logger (topic, partition, correlation id) and partition. */
export type BatchContext = Pick<HandlerContext<string, number, unknown>, 'logger' | 'partition'>;

/** The lane a batch of lines came in: imports (CSV files, v1 lines), or live input. */
export type Lane = 'import' | 'live';

export interface RfmConsumersOptions {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly logger: Logger;
  readonly settings: Pick<KafkaSettings, 'brokers' | 'topicPrefix'>;
  /** The import lane's group (import lines, v1 lines, erasures) and the live lane's. */
  readonly groups: { readonly main: string; readonly live: string };
  readonly signal?: AbortSignal;
  readonly metrics?: MetricsRegistry;
  /** The import lane's fetch; the live lane takes only its size limits (a fetch answers as soon as a live line is there). */
  readonly fetch?: FetchSizes;
  /** Batches of different partitions handled at once, in each lane. */
  readonly concurrency?: number;
  /** Stores a batch of one customer's lines per event (v3; older versions upcast) and publishes the changed metrics on the lane's metrics topic. */
  handleLines(events: readonly TransactionLinesRecorded[], context: BatchContext, lane: Lane): Promise<void>;
  /** Erases the customers of a batch of erasure requests. */
  eraseCustomers(events: readonly CustomerErasureRequested[], context: BatchContext): Promise<void>;
  /**
   * Passes on the end of imports' lines in the batch's partition (ImportLinesEnded markers), once
   * the lines before them are handled: the consumer hands them over in the partition's order.
   */
  endImports(events: readonly ImportLinesEnded[], context: BatchContext): Promise<void>;
}

/** The rfm service's two consumers. */
export interface RfmConsumers {
  /** The import lane: lines of CSV imports, v2 and v1 lines (upcast), erasure requests. */
  readonly main: RunningConsumer;
  /** The live lane: lines of live input (the API, the shop's stream). */
  readonly live: RunningConsumer;
  /** The broker checks of /ready: each consumer connected and a member of its group. */
  readiness(): { ready: boolean; checks: { broker: boolean; liveBroker: boolean } };
  disconnect(): Promise<void>;
}

/**
 * Starts the rfm service's consumers: one group reads the import lane (transaction lines of CSV
 * imports and the markers of their end, v1 lines through the upcaster, erasure requests), another group reads the live lane
 * (lines of live input), with the same handler. Each consumer handles its own batches one after
 * the other, so with one consumer a live line would wait behind every batch of an import fetched
 * before it; with a consumer of its own, a live batch runs while an import batch does. Both may
 * write the same customer at once: the repository's transaction waits for, or retries after, the
 * other (RfmRepository.recordLines), and every merge is commutative, so the result is that of
 * one lane.
 */
export async function runRfmConsumers(options: RfmConsumersOptions): Promise<RfmConsumers> {
  const { groups, handleLines, eraseCustomers, endImports } = options;
  const common = {
    kafka: options.kafka,
    producer: options.producer,
    settings: options.settings,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  };
  const { maxBytesPerPartition, maxBytes } = options.fetch ?? {};
  const liveFetch: FetchSizes = { ...(maxBytesPerPartition ? { maxBytesPerPartition } : {}), ...(maxBytes ? { maxBytes } : {}) };
  const main = await runConsumer({
    ...common,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    groupId: groups.main,
    logger: options.logger,
    handlers: [
      { contract: TransactionLineRecordedV3, handle: (events, context) => handleLines(events, context, 'import') },
      // The end of an import's lines in this partition: handled after the lines before it.
      { contract: ImportLinesEndedV1, handle: (events, context) => endImports(events, context) },
      // Lines published as v2 or v1 (still on the topic, or from an older ingest) read as v3 events.
      { contract: TransactionLineRecordedV2, handle: (events, context) => handleLines(events.map(upcastTransactionLinesV2), context, 'import') },
      { contract: ImportLinesEndedOnV2LinesV1, handle: (events, context) => endImports(events, context) },
      { contract: TransactionLineRecordedV1, handle: (events, context) => handleLines(events.map(upcastTransactionLineV1), context, 'import') },
      // GDPR art. 17: the customers' lines and metrics go; their later lines (either lane) are dropped.
      { contract: CustomerErasureRequestedV1, handle: (events, context) => eraseCustomers(events, context) },
    ],
  });
  let live: RunningConsumer;
  try {
    live = await runConsumer({
      ...common,
      fetch: liveFetch,
      groupId: groups.live,
      logger: options.logger.child({ lane: 'live' }),
      handlers: [
        { contract: LiveTransactionLineRecordedV3, handle: (events, context) => handleLines(events, context, 'live') },
        { contract: LiveTransactionLineRecordedV2, handle: (events, context) => handleLines(events.map(upcastTransactionLinesV2), context, 'live') },
      ],
    });
  } catch (error) {
    await main.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    main,
    live,
    readiness() {
      const [broker, liveBroker] = [consumerReadiness(main), consumerReadiness(live, 'liveBroker')];
      return { ready: broker.ready && liveBroker.ready, checks: { ...broker.checks, ...liveBroker.checks } };
    },
    async disconnect() {
      await Promise.all([main.disconnect(), live.disconnect()]);
    },
  };
}
