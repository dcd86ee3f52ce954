import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { MessageDeadLetteredV1, type EventContract, type EventEnvelope } from '@seg/contracts-events';
import { describeError, retryWithBackoff } from '@seg/platform-observability';
import { publish } from './publisher';

/** What a service does with a batch of decoded events of one contract. */
export interface TopicHandler<T extends string, V extends number, D> {
  readonly contract: EventContract<T, V, D>;
  /**
   * Handles a batch from one partition. It must be idempotent (delivery is at least once) and
   * must have committed its database transaction when it resolves: offsets are committed after.
   */
  readonly handle: (events: readonly EventEnvelope<T, V, D>[], context: { readonly partition: number }) => Promise<void>;
}

export interface ConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly producer: Producer;
  readonly logger: Logger;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly handlers: readonly TopicHandler<any, any, any>[];
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  readonly signal?: AbortSignal;
}

/**
 * Runs one consumer group member over the handlers' topics. A message that cannot be decoded goes
 * to the dead-letter topic with the reason, and the rest of its batch keeps flowing. Offsets are
 * committed only after the handler's database transaction has committed, so a crash replays the
 * batch, which idempotent handlers absorb.
 */
export async function runConsumer(options: ConsumerOptions): Promise<Consumer> {
  const { kafka, groupId, producer, logger, handlers } = options;
  const byTopic = new Map(handlers.map((handler) => [options.topicPrefix + handler.contract.topic.name, handler]));
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
  await retryWithBackoff(() => consumer.connect(), logger, { what: `Kafka broker ${options.brokers.join(',')}`, ...(options.signal ? { signal: options.signal } : {}) });
  for (const topic of byTopic.keys()) await consumer.subscribe({ topic, fromBeginning: true });

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const handler = byTopic.get(batch.topic);
      if (!handler) throw new Error(`no handler for topic ${batch.topic}`);
      const decoded: EventEnvelope<string, number, unknown>[] = [];
      const dead: { message: KafkaMessage; code: string; reason: string }[] = [];
      for (const message of batch.messages) {
        const result = handler.contract.decode(message.value);
        if (result.ok) decoded.push(result.value);
        else dead.push({ message, code: result.error.code, reason: result.error.reason });
      }
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
          options.topicPrefix,
        );
        for (const { message, code, reason } of dead) {
          logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, code }, `dead-lettered an undecodable message: ${reason}`);
        }
      }
      if (decoded.length > 0) {
        const started = Date.now();
        try {
          await handler.handle(decoded, { partition: batch.partition });
        } catch (error) {
          const { code, message } = describeError(error);
          logger.error({ topic: batch.topic, partition: batch.partition, code, events: decoded.length }, `batch failed, it will be retried: ${message}`);
          throw error;
        }
        logger.debug({ topic: batch.topic, partition: batch.partition, events: decoded.length, ms: Date.now() - started }, 'batch handled');
      }
      const last = batch.messages[batch.messages.length - 1];
      if (last) {
        resolveOffset(last.offset);
        // Explicit commit: with autoCommit off, kafkajs never commits on its own.
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }]);
      }
      await heartbeat();
    },
  });
  return consumer;
}
