import { Kafka, logLevel } from 'kafkajs';
import type { KafkaSettings } from '@seg/platform-config';
import { uniqueSuffix } from './environment';

/** Settings for the real broker with a topic prefix of its own, so a test sees only its data. */
export function testKafkaSettings(clientId: string): KafkaSettings {
  return {
    brokers: (process.env['SEG_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
    clientId,
    topicPrefix: `test-${uniqueSuffix()}.`,
  };
}

/**
 * Deletes every topic whose name starts with `prefix` (a test's or a throwaway platform's own),
 * so that runs do not pile up partitions and data on the shared broker. Returns how many went;
 * a broker that does not answer (stopped by the test itself) leaves nothing to delete: 0.
 */
export async function deleteTopicsWithPrefix(brokers: readonly string[], prefix: string): Promise<number> {
  if (prefix === '') throw new Error('refusing to delete every topic: the prefix is empty');
  const kafka = new Kafka({ clientId: 'test-topic-cleanup', brokers: [...brokers], logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 1 } });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
    return topics.length;
  } catch {
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
