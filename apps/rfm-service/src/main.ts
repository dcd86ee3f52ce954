import { TOPICS, TransactionLineRecordedV1 } from '@seg/contracts-events';
import { createLogger, runService, type RunningService } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, databaseReadiness } from '@seg/platform-persistence';
import { prepareKafka, runConsumer } from '@seg/platform-kafka';
import { serveSubgraph } from '@seg/platform-subgraph';
import { loadConfig } from './config';
import { migrations } from './migrations';
import { recordLines } from './application/record-lines';
import { SnapshotCache } from './application/rfm-snapshot';
import { RfmRepository } from './adapters/persistence/rfm.repository';
import { createMetricsPublisher } from './adapters/kafka/metrics-publisher';
import { rfmSubgraph } from './adapters/graphql/schema';
import { rfmResolvers } from './adapters/graphql/resolvers';

/** Composition root: config -> database -> Kafka -> handlers -> subgraph -> shutdown. */
async function main(): Promise<RunningService> {
  const config = loadConfig(process.env);
  const logger = createLogger('rfm-service', config.logLevel);
  const shutdown = new AbortController();

  const db = await connectAndMigrate(createDataSource({ settings: config.database, entities: [], migrations }), logger, shutdown.signal);
  const { kafka, producer } = await prepareKafka(config.kafka, logger, shutdown.signal);
  const repository = new RfmRepository(db);
  const publishMetrics = createMetricsPublisher(producer, config.kafka.topicPrefix);

  const consumer = await runConsumer({
    kafka,
    groupId: config.consumerGroup,
    producer,
    logger,
    brokers: config.kafka.brokers,
    topicPrefix: config.kafka.topicPrefix,
    signal: shutdown.signal,
    handlers: [
      {
        contract: TransactionLineRecordedV1,
        handle: async (events) => {
          const customers = await recordLines(events, {
            recordLines: (lines) => repository.recordLines(lines),
            latestPurchase: () => repository.latestPurchase(),
            publishMetrics,
          });
          logger.debug({ lines: events.length, customers, topic: TOPICS.transactionLineV1.name }, 'recorded lines');
        },
      },
    ],
  });

  const snapshots = new SnapshotCache(() => repository.fingerprint(), () => repository.allMetrics());
  const http = await serveSubgraph({ settings: config, descriptor: rfmSubgraph, resolvers: rfmResolvers(snapshots), readiness: () => databaseReadiness(db), logger });

  return {
    async close() {
      shutdown.abort();
      await http.close();
      await consumer.disconnect();
      await producer.disconnect();
      await db.destroy();
    },
  };
}

runService('rfm-service', main);
