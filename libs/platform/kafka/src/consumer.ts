import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSettings } from '@seg/platform-config';
import { MessageDeadLetteredV1, type EventContract, type EventEnvelope } from '@seg/contracts-events';
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

/**
 * Runs one consumer group member over the handlers' topics. A message that cannot be decoded goes
 * to the dead-letter topic with the reason, and the rest of its batch keeps flowing. Offsets are
 * committed only after the handler's database transaction has committed, so a crash replays the
 * batch, which idempotent handlers absorb. It counts events, batches, errors, dead letters and
 * each partition's lag in `metrics`, and its `status()` feeds the service's /ready.
 */
export async function runConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, producer, logger, handlers } = options;
  const byTopic = new Map(handlers.map((handler) => [options.settings.topicPrefix + handler.contract.topic.name, handler]));
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
      const handler = byTopic.get(batch.topic);
      if (!handler) throw new Error(`no handler for topic ${batch.topic}`);
      const endTimer = metrics.batchDuration.startTimer({ topic: batch.topic });
      metrics.batchSize.observe({ topic: batch.topic }, batch.messages.length);
      const decoded: EventEnvelope<string, number, unknown>[] = [];
      const messageOf = new Map<EventEnvelope<string, number, unknown>, KafkaMessage>();
      const dead: { message: KafkaMessage; code: string; reason: string }[] = [];
      for (const message of batch.messages) {
        const result = handler.contract.decode(message.value);
        if (result.ok) {
          decoded.push(result.value);
          messageOf.set(result.value, message);
        } else dead.push({ message, code: result.error.code, reason: result.error.reason });
      }
      if (decoded.length > 0) {
        const started = Date.now();
        const batchLogger = logger.child({ topic: batch.topic, partition: batch.partition, ...batchCorrelation(decoded) });
        const rejected: typeof dead = [];
        const reject = (event: EventEnvelope<string, number, unknown>, code: string, reason: string) => {
          const message = messageOf.get(event);
          if (!message) throw new Error('reject() takes an event of the batch being handled');
          rejected.push({ message, code, reason });
        };
        try {
          await handler.handle(decoded, { partition: batch.partition, logger: batchLogger, reject });
        } catch (error) {
          metrics.handlerErrors.inc({ topic: batch.topic });
          const { code, message } = describeError(error);
          batchLogger.error({ code, events: decoded.length }, `batch failed, it will be retried: ${message}`);
          throw error;
        }
        dead.push(...rejected);
        metrics.eventsHandled.inc({ topic: batch.topic }, decoded.length - rejected.length);
        batchLogger.debug({ events: decoded.length, rejected: rejected.length, ms: Date.now() - started }, 'batch handled');
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
