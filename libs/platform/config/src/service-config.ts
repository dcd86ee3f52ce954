import { z } from 'zod';
import { ConfigError, commonEnv, databaseEnv, databaseSettings, kafkaEnv, parseConfig, portSchema, type DatabaseSettings, type KafkaSettings } from './parse-config';

export type ServiceName = 'ingest' | 'rfm' | 'clustering' | 'profiling';

const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = { ingest: 4001, rfm: 4002, clustering: 4003, profiling: 4004 };

/** What every service reads from its environment, whatever it does. */
export interface ServiceSettings {
  readonly production: boolean;
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  readonly gatewaySecret: string;
  readonly database: DatabaseSettings;
  readonly kafka: KafkaSettings;
  readonly consumerGroup: string;
  /**
   * The consumer group of the service's live lane, if it reads one (live input next to imports):
   * a second consumer, so that live events never wait behind an import's. `SEG_<SVC>_LIVE_CONSUMER_GROUP`,
   * by default the main group's name + '-live'; it must differ from the main group.
   */
  readonly liveConsumerGroup: string;
}

/**
 * Parses a service's environment once: the common part (`SEG_<SVC>_HOST`, `_PORT`,
 * `_CONSUMER_GROUP`, its database, the broker, the gateway secret) plus the service's own
 * variables in `extra`. All problems are reported together in one ConfigError.
 */
export function loadServiceConfig<E extends z.ZodRawShape>(
  service: ServiceName,
  env: Readonly<Record<string, string | undefined>>,
  extra: E,
): ServiceSettings & { readonly env: z.output<z.ZodObject<E>> } {
  const upper = service.toUpperCase();
  const schema = z.object({
    ...commonEnv,
    ...databaseEnv(service),
    ...kafkaEnv,
    [`SEG_${upper}_HOST`]: z.string().min(1).default('127.0.0.1'),
    [`SEG_${upper}_PORT`]: portSchema.default(DEFAULT_PORTS[service]),
    [`SEG_${upper}_CONSUMER_GROUP`]: z.string().min(1).default(`${service}-service`),
    [`SEG_${upper}_LIVE_CONSUMER_GROUP`]: z.string().min(1).optional(),
    ...extra,
  });
  const parsed = parseConfig(schema, env) as Record<string, unknown>;
  const kafka = parsed['SEG_KAFKA_BROKERS'] as string[];
  const consumerGroup = String(parsed[`SEG_${upper}_CONSUMER_GROUP`]);
  const liveConsumerGroup = (parsed[`SEG_${upper}_LIVE_CONSUMER_GROUP`] as string | undefined) ?? `${consumerGroup}-live`;
  // One group for both would make the two consumers members with different subscriptions.
  if (liveConsumerGroup === consumerGroup) {
    throw new ConfigError(`invalid configuration:\n  SEG_${upper}_LIVE_CONSUMER_GROUP: must differ from SEG_${upper}_CONSUMER_GROUP (both are ${JSON.stringify(consumerGroup)})`);
  }
  return {
    production: parsed['NODE_ENV'] === 'production',
    logLevel: String(parsed['SEG_LOG_LEVEL']),
    host: String(parsed[`SEG_${upper}_HOST`]),
    port: Number(parsed[`SEG_${upper}_PORT`]),
    gatewaySecret: String(parsed['SEG_GATEWAY_SECRET']),
    database: databaseSettings(service, parsed),
    kafka: { brokers: kafka, clientId: `${service}-service`, topicPrefix: String(parsed['SEG_KAFKA_TOPIC_PREFIX']) },
    consumerGroup,
    liveConsumerGroup,
    env: parsed as z.output<z.ZodObject<E>>,
  };
}
