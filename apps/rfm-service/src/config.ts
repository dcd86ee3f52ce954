import { z } from 'zod';
import { commonEnv, databaseEnv, databaseSettings, kafkaEnv, parseConfig, portSchema, type DatabaseSettings, type KafkaSettings } from '@seg/platform-config';

export interface RfmConfig {
  readonly production: boolean;
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly gatewaySecret: string;
  readonly database: DatabaseSettings;
  readonly kafka: KafkaSettings;
  readonly consumerGroup: string;
}

const schema = z.object({
  ...commonEnv,
  ...databaseEnv('rfm'),
  ...kafkaEnv,
  SEG_RFM_HOST: z.string().default('127.0.0.1'),
  SEG_RFM_PORT: portSchema.default(4002),
  SEG_RFM_CONSUMER_GROUP: z.string().default('rfm-service'),
});

/** Parses the rfm service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): RfmConfig {
  const parsed = parseConfig(schema, env);
  return {
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.SEG_LOG_LEVEL,
    host: parsed.SEG_RFM_HOST,
    port: parsed.SEG_RFM_PORT,
    gatewaySecret: parsed.SEG_GATEWAY_SECRET,
    database: databaseSettings('rfm', parsed),
    kafka: { brokers: parsed.SEG_KAFKA_BROKERS, clientId: 'rfm-service', topicPrefix: parsed.SEG_KAFKA_TOPIC_PREFIX },
    consumerGroup: parsed.SEG_RFM_CONSUMER_GROUP,
  };
}
