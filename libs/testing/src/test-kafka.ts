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
