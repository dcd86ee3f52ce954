import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSettings } from '@seg/platform-config';
import { MessageDeadLetteredV1, parseMessage, type EventContract, type EventEnvelope } from '@seg/contracts-events';
import { createMetricsRegistry, describeError, retryWithBackoff, type MetricsRegistry } from '@seg/platform-observability';
import { publish } from './publisher';
import { consumerLag, kafkaMetrics, partitionLag } from './kafka-metrics';
import { watchConsumerStatus, type RunningConsumer } from './consumer-status';
import { batchCorrelation, headerCorrelationId } from './correlation';

/** What a service does with a batch of decoded events of one contract. */
export interface TopicHandler<T extends string, V extends number, D> {
  readonly contract: EventContract<T, V, D>;
  /**
   * Handles a batch from one partition. It must be idempotent (delivery is at least once) and
   * must have committed its database transaction when it resolves: offsets are committed after.
   * `logger` carries the batch's topic, partition and correlation id. `reject` sends an event
   * that decoded but cannot be used (e.g. a transaction with an impossible date) to the dead-letter
   * topic with a code and reason, once the handler has succeeded.
   */
  readonly handle: (events: readonly EventEnvelope<T, V, D>[], context: HandlerContext<T, V, D>) => Promise<void>;
}

export interface HandlerContext<T extends string, V extends number, D> {
  readonly partition: number;
  readonly logger: Logger;
  reject(event: EventEnvelope<T, V, D>, code: string, reason: string): void;
}

export interface ConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly producer: Producer;
  readonly logger: Logger;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly handlers: readonly TopicHandler<any, any, any>[];
  /** Brokers (for messages about reaching them) and the topic prefix. */
  readonly settings: Pick<KafkaSettings, 'brokers' | 'topicPrefix'>;
  readonly signal?: AbortSignal;
  /** The process's registry (served on /metrics); without one, the metrics are kept but not served. */
  readonly metrics?: MetricsRegistry;
  /** How much one fetch may bring, which bounds the batches handed to the handlers (see {@link FetchSizes}). */
  readonly fetch?: FetchSizes;
  /**
   * Batches handled at once, each of a different partition (kafkajs' partitionsConsumedConcurrently);
   * one partition's batches are always handled one after the other, in order. Default 1.
   */
  readonly concurrency?: number;
}

/**
 * Fetch sizes, in bytes: of one partition (a batch handed to a handler is at most about this) and
 * of all partitions together, per fetch. kafkajs' defaults, 1 MiB and 10 MiB, keep batches small;
 * a handler whose cost is mostly per batch (a transaction, a commit) gains from bigger ones while
 * it drains a backlog. A live stream still comes in small batches: a fetch returns as soon as
 * anything is there.
 */
export interface FetchSizes {
  readonly maxBytesPerPartition?: number;
  readonly maxBytes?: number;
  /**
   * The broker answers a fetch once it has this many bytes, or after `maxWaitTimeInMs`. kafkajs'
   * default, 1 byte, answers at once: a consumer that keeps up with a fast producer then gets one
   * small batch after another, each with its transaction and commit. A bulk lane may ask for more
   * and wait a little; a lane whose latency matters keeps the default.
   */
  readonly minBytes?: number;
  readonly maxWaitTimeInMs?: number;
}

type DecodedFor =
  | { readonly ok: true; readonly handler: TopicHandler<string, number, unknown>; readonly value: EventEnvelope<string, number, unknown> }
  | { readonly ok: false; readonly error: { readonly code: string; readonly reason: string } };

/**
 * Decodes a message with the first of a topic's contracts whose type and version it has (the
 * stream's own contract first: markers are rare), parsing its JSON once. A message of none of
 * them is WRONG_TYPE, naming every contract the consumer reads there.
 */
function decodeWith(handlers: readonly TopicHandler<string, number, unknown>[], value: Buffer | null): DecodedFor {
  const parsed = parseMessage(value);
  if (!parsed.ok) return parsed;
  let wrongType = '';
  for (const handler of handlers) {
    const result = handler.contract.decodeParsed(parsed.value);
    if (result.ok) return { ok: true, handler, value: result.value };
    if (result.error.code !== 'WRONG_TYPE' || handlers.length === 1) return result;
    wrongType = result.error.reason;
  }
  // Each contract said "expected <its type>, got <the message's>".
  const got = wrongType.slice(wrongType.lastIndexOf(', got ') + 2);
  return { ok: false, error: { code: 'WRONG_TYPE', reason: `expected ${handlers.map((h) => `${h.contract.type} v${h.contract.version}`).join(' or ')}, ${got}` } };
}

/**
 * Runs one consumer group member over the handlers' topics. A message that cannot be decoded goes
 * to the dead-letter topic with the reason, and the rest of its batch keeps flowing. Offsets are
 * committed only after the handler's database transaction has committed, so a crash replays the
 * batch, which idempotent handlers absorb. It counts events, batches, errors, dead letters and
 * each partition's lag in `metrics`, and its `status()` feeds the service's /ready.
 */
export async function runConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, producer, logger, handlers } = options;
  // A topic's handlers in the order given: its stream's own contract first, then the markers that
  // punctuate it (e.g. ImportLinesEnded among the lines), if the service reads them.
  const byTopic = new Map<string, TopicHandler<string, number, unknown>[]>();
  for (const handler of handlers) {
    const topic = options.settings.topicPrefix + handler.contract.topic.name;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), handler]);
  }
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000, heartbeatInterval: 3_000, ...options.fetch });
  const metrics = kafkaMetrics(options.metrics ?? createMetricsRegistry(groupId, { processMetrics: false }));
  const lag = partitionLag(metrics.consumerLag);
  const status = watchConsumerStatus(consumer, (now) => metrics.consumerRunning.set({ group: groupId }, now === 'running' ? 1 : 0));
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => lag.keepOnly(payload.memberAssignment));
  await retryWithBackoff(() => consumer.connect(), logger, { what: `Kafka broker ${options.settings.brokers.join(',')}`, ...(options.signal ? { signal: options.signal } : {}) });
  for (const topic of byTopic.keys()) await consumer.subscribe({ topic, fromBeginning: true });

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency ?? 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const topicHandlers = byTopic.get(batch.topic);
      if (!topicHandlers) throw new Error(`no handler for topic ${batch.topic}`);
      const endTimer = metrics.batchDuration.startTimer({ topic: batch.topic });
      metrics.batchSize.observe({ topic: batch.topic }, batch.messages.length);
      // Runs of consecutive events of one contract, in the partition's order.
      const runs: { handler: TopicHandler<string, number, unknown>; events: EventEnvelope<string, number, unknown>[] }[] = [];
      const messageOf = new Map<EventEnvelope<string, number, unknown>, KafkaMessage>();
      const dead: { message: KafkaMessage; code: string; reason: string }[] = [];
      for (const message of batch.messages) {
        const decoded = decodeWith(topicHandlers, message.value);
        if (!decoded.ok) {
          dead.push({ message, code: decoded.error.code, reason: decoded.error.reason });
          continue;
        }
        const run = runs[runs.length - 1];
        if (run?.handler === decoded.handler) run.events.push(decoded.value);
        else runs.push({ handler: decoded.handler, events: [decoded.value] });
        messageOf.set(decoded.value, message);
      }
      const decodedCount = runs.reduce((n, run) => n + run.events.length, 0);
      if (decodedCount > 0) {
        const started = Date.now();
        const batchLogger = logger.child({ topic: batch.topic, partition: batch.partition, ...batchCorrelation(runs.flatMap((run) => run.events)) });
        const rejected: typeof dead = [];
        const reject = (event: EventEnvelope<string, number, unknown>, code: string, reason: string) => {
          const message = messageOf.get(event);
          if (!message) throw new Error('reject() takes an event of the batch being handled');
          rejected.push({ message, code, reason });
        };
        try {
          for (const run of runs) await run.handler.handle(run.events, { partition: batch.partition, logger: batchLogger, reject });
        } catch (error) {
          metrics.handlerErrors.inc({ topic: batch.topic });
          const { code, message } = describeError(error);
          batchLogger.error({ code, events: decodedCount }, `batch failed, it will be retried: ${message}`);
          throw error;
        }
        dead.push(...rejected);
        metrics.eventsHandled.inc({ topic: batch.topic }, decodedCount - rejected.length);
        batchLogger.debug({ events: decodedCount, rejected: rejected.length, ms: Date.now() - started }, 'batch handled');
      }
      // Dead letters go out after the handler succeeded and before the commit, so a retried batch
      // does not dead-letter its messages twice.
      if (dead.length > 0) {
        await publish(
          producer,
          MessageDeadLetteredV1,
          dead.map(({ message, code, reason }) => ({
            key: batch.topic,
            event: MessageDeadLetteredV1.create(
              {
                topic: batch.topic,
                partition: batch.partition,
                offset: message.offset,
                key: message.key ? message.key.toString('utf8') : null,
                valueBase64: message.value ? message.value.toString('base64') : null,
                consumerGroup: groupId,
                code,
                reason,
              },
              { correlationId: `${batch.topic}/${batch.partition}/${message.offset}`, producer: groupId },
            ),
          })),
          options.settings.topicPrefix,
        );
        for (const { message, code, reason } of dead) {
          metrics.deadLetters.inc({ topic: batch.topic, code });
          const correlationId = headerCorrelationId(message);
          logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, code, ...(correlationId ? { correlationId } : {}) }, `dead-lettered a message: ${reason}`);
        }
      }
      const last = batch.messages[batch.messages.length - 1];
      if (last) {
        resolveOffset(last.offset);
        const next = (BigInt(last.offset) + 1n).toString();
        // Explicit commit: with autoCommit off, kafkajs never commits on its own.
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        lag.set(batch.topic, batch.partition, consumerLag(batch.highWatermark, next));
      }
      endTimer();
      await heartbeat();
    },
  });
  return Object.assign(consumer, { status });
}
