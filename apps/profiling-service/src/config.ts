import { z } from 'zod';
import { commonEnv, databaseEnv, databaseSettings, kafkaEnv, parseConfig, portSchema, type DatabaseSettings, type KafkaSettings } from '@seg/platform-config';

export interface ProfilingConfig {
  readonly production: boolean;
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly gatewaySecret: string;
  readonly database: DatabaseSettings;
  readonly kafka: KafkaSettings;
  readonly consumerGroup: string;
  /** Share of customers held out (no coupon) in the default campaign, to measure uplift. */
  readonly holdoutShare: number;
}

const schema = z.object({
  ...commonEnv,
  ...databaseEnv('profiling'),
  ...kafkaEnv,
  SEG_PROFILING_HOST: z.string().default('127.0.0.1'),
  SEG_PROFILING_PORT: portSchema.default(4004),
  SEG_PROFILING_CONSUMER_GROUP: z.string().default('profiling-service'),
  SEG_HOLDOUT_SHARE: z.coerce.number().min(0).max(0.5).default(0.1),
});

/** Parses the profiling service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ProfilingConfig {
  const parsed = parseConfig(schema, env);
  return {
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.SEG_LOG_LEVEL,
    host: parsed.SEG_PROFILING_HOST,
    port: parsed.SEG_PROFILING_PORT,
    gatewaySecret: parsed.SEG_GATEWAY_SECRET,
    database: databaseSettings('profiling', parsed),
    kafka: { brokers: parsed.SEG_KAFKA_BROKERS, clientId: 'profiling-service', topicPrefix: parsed.SEG_KAFKA_TOPIC_PREFIX },
    consumerGroup: parsed.SEG_PROFILING_CONSUMER_GROUP,
    holdoutShare: parsed.SEG_HOLDOUT_SHARE,
  };
}
