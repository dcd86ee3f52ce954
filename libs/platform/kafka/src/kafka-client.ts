import { Kafka, logLevel, type LogEntry, type Producer, type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSettings } from '@seg/platform-config';
import { ALL_TOPICS, type TopicSpec } from '@seg/contracts-events';
import { retryWithBackoff, type MetricsRegistry } from '@seg/platform-observability';
import { countPublished, kafkaMetrics } from './kafka-metrics';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own log lines go through the service's structured logger. */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    logLevel: logLevel.WARN,
    // Few internal retries: at start, retryWithBackoff takes over and says what is unreachable.
    retry: { initialRetryTime: 300, retries: 5 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levels[level] ?? 'info'](extra, message);
      },
  });
}

/**
 * Connects a producer, retrying with backoff while the broker is unreachable. With a metrics
 * registry, the messages it publishes are counted per topic.
 */
export async function connectProducer(kafka: Kafka, settings: KafkaSettings, logger: Logger, signal?: AbortSignal, metrics?: MetricsRegistry): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await retryWithBackoff(() => producer.connect(), logger, { what: `Kafka broker ${settings.brokers.join(',')}`, ...(signal ? { signal } : {}) });
  return metrics ? countPublished(producer, kafkaMetrics(metrics)) : producer;
}

/**
 * Creates the topics that do not exist yet, with their partition counts, and resolves once every
 * partition of all the topics has a leader (created here, or by another service a moment ago);
 * returns the names of those it created. Idempotent.
 *
 * kafkajs' own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a broker may also answer
 * "This server does not host this topic-partition" for a topic created a moment ago; here both
 * mean "not yet", until `readyTimeoutMs`.
 */
export async function ensureTopics(admin: Admin, topics: readonly TopicSpec[], topicPrefix: string, replicationFactor = 1, readyTimeoutMs = 30_000): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.map((topic) => ({ ...topic, name: topicPrefix + topic.name })).filter((topic) => !existing.has(topic.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions, replicationFactor })),
    });
  }
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    try {
      await assertTopicsReady(admin, topics.map((topic) => topicPrefix + topic.name));
      return missing.map((topic) => topic.name);
    } catch (error) {
      if (Date.now() >= deadline) throw new Error(`topics are not ready after ${readyTimeoutMs} ms: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Resolves once every partition of the topics has a leader; throws naming those that do not yet.
 * A topic that another service has just created exists before its partitions have leaders, and a
 * consumer subscribing to it meanwhile fails ("This server does not host this topic-partition").
 */
export async function assertTopicsReady(admin: Admin, topics: readonly string[]): Promise<void> {
  const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
  const ready = new Set(found.filter((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0 && p.partitionErrorCode === 0)).map((topic) => topic.name));
  const waiting = topics.filter((topic) => !ready.has(topic));
  if (waiting.length > 0) throw new Error(`topics without a leader yet: ${waiting.join(', ')}`);
}

/**
 * Everything a service needs from Kafka at start: a client, the platform's topics (created if
 * missing, so a fresh broker works, and ready: every partition with a leader, see ensureTopics)
 * and a connected producer. Waits for the broker with backoff.
 */
export async function prepareKafka(settings: KafkaSettings, logger: Logger, signal?: AbortSignal, metrics?: MetricsRegistry): Promise<{ kafka: Kafka; producer: Producer }> {
  const kafka = createKafka(settings, logger);
  const admin = kafka.admin();
  const what = `Kafka broker ${settings.brokers.join(',')}`;
  await retryWithBackoff(
    async () => {
      await admin.connect();
      try {
        await ensureTopics(admin, ALL_TOPICS, settings.topicPrefix);
      } finally {
        await admin.disconnect();
      }
    },
    logger,
    { what, ...(signal ? { signal } : {}) },
  );
  const producer = await connectProducer(kafka, settings, logger, signal, metrics);
  return { kafka, producer };
}
