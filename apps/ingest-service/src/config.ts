import { resolve } from 'node:path';
import { z } from 'zod';
import { commonEnv, databaseEnv, databaseSettings, kafkaEnv, parseConfig, portSchema, type DatabaseSettings, type KafkaSettings } from '@seg/platform-config';

export interface IngestConfig {
  readonly production: boolean;
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly gatewaySecret: string;
  readonly database: DatabaseSettings;
  readonly kafka: KafkaSettings;
  /** Server-side imports may only read files under these folders. */
  readonly importRoots: readonly string[];
  readonly publishBatchSize: number;
}

const schema = z.object({
  ...commonEnv,
  ...databaseEnv('ingest'),
  ...kafkaEnv,
  SEG_INGEST_HOST: z.string().default('127.0.0.1'),
  SEG_INGEST_PORT: portSchema.default(4001),
  SEG_IMPORT_ROOTS: z.string().default('data'),
  SEG_INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(5_000),
});

/** Parses the ingest service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const parsed = parseConfig(schema, env);
  return {
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.SEG_LOG_LEVEL,
    host: parsed.SEG_INGEST_HOST,
    port: parsed.SEG_INGEST_PORT,
    gatewaySecret: parsed.SEG_GATEWAY_SECRET,
    database: databaseSettings('ingest', parsed),
    kafka: { brokers: parsed.SEG_KAFKA_BROKERS, clientId: 'ingest-service', topicPrefix: parsed.SEG_KAFKA_TOPIC_PREFIX },
    importRoots: parsed.SEG_IMPORT_ROOTS.split(',').map((root) => resolve(root.trim())).filter((root) => root.length > 0),
    publishBatchSize: parsed.SEG_INGEST_BATCH_SIZE,
  };
}
