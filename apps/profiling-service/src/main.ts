import { CustomerErasureRequestedV1, CustomerMetricsChangedV1, CustomerSegmentAssignedV1, ImportMetricsEndedV1, LiveCustomerMetricsChangedV1, SegmentationModelTrainedV1 } from '@seg/contracts-events';
import { DEFAULT_COUPON_RULES } from '@seg/domain-profiling';
import { SnapshotCache } from '@seg/domain-rfm';
import { createLogger, createMetricsRegistry, runService, type RunningService } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, databaseReadiness } from '@seg/platform-persistence';
import { consumerReadiness, prepareKafka, runConsumer } from '@seg/platform-kafka';
import { combineReadiness, serveSubgraph } from '@seg/platform-subgraph';
import { loadConfig } from './config';
import { migrations } from './migrations';
import { profileModel } from './application/profile-models';
import { ProfilingRepository } from './adapters/persistence/profiling.repository';
import { CustomerDirectoryRepository } from './adapters/persistence/customer-directory.repository';
import { MarketingRepository } from './adapters/persistence/marketing.repository';
import { profilingSubgraph } from './adapters/graphql/schema';
import { profilingResolvers } from './adapters/graphql/resolvers';
import { ReadCache } from './application/read-cache';

/** Composition root: config -> database -> Kafka -> handlers -> subgraph -> shutdown. */
async function main(): Promise<RunningService> {
  const config = loadConfig(process.env);
  const logger = createLogger('profiling-service', config.logLevel);
  const metricsRegistry = createMetricsRegistry('profiling-service');
  const shutdown = new AbortController();

  const db = await connectAndMigrate(createDataSource({ settings: config.database, entities: [], migrations }), logger, shutdown.signal);
  const repository = new ProfilingRepository(db);
  const directory = new CustomerDirectoryRepository(db);
  await repository.seedCouponRules(DEFAULT_COUPON_RULES);
  // Segments, rules, overrides and campaigns as every request reads them; this process's own
  // writes clear it, other replicas' show up within a second.
  const cache = new ReadCache(1_000);
  // The producer only carries dead letters: profiling publishes no events of its own yet.
  const { kafka, producer } = await prepareKafka(config.kafka, logger, shutdown.signal, metricsRegistry);

  const consumer = await runConsumer({
    kafka,
    groupId: config.consumerGroup,
    producer,
    logger,
    settings: config.kafka,
    signal: shutdown.signal,
    metrics: metricsRegistry,
    handlers: [
      {
        contract: SegmentationModelTrainedV1,
        handle: async (events, context) => {
          for (const event of events) {
            const segments = profileModel(event, await repository.previousSegments(event.data.modelVersion));
            await repository.saveSegments(event.data, segments);
            cache.invalidate();
            context.logger.info(
              { modelVersion: event.data.modelVersion, segments: segments.map((s) => `${s.name} (${s.key}${s.inheritedFrom ? ', continued' : ''})`) },
              'profiled a segmentation model',
            );
          }
        },
      },
      { contract: CustomerSegmentAssignedV1, handle: (events) => repository.saveAssignments(events.map((e) => e.data)) },
      { contract: CustomerMetricsChangedV1, handle: (events) => directory.saveMetrics(events) },
      // The ends of imports in the metric stream are for clustering (it trains once an import is
      // in); profiling follows the models and assignments that come of it. Read, and let pass.
      { contract: ImportMetricsEndedV1, handle: async () => undefined },
      {
        // GDPR art. 17: every row of the customers goes (see eraseCustomers); later events about them are dropped.
        contract: CustomerErasureRequestedV1,
        handle: async (events, context) => {
          const customerIds = events.map((event) => event.data.customerId);
          const deleted = await repository.eraseCustomers(customerIds);
          // After the erasure is remembered: a metrics change arriving meanwhile is dropped. A crash
          // in between replays the batch, and both deletions are idempotent.
          const directoryRows = await directory.eraseCustomers(customerIds);
          cache.invalidate();
          context.logger.info({ erasures: events.length, ...deleted, directory: directoryRows }, 'erased customers');
        },
      },
    ],
  });

  // The live lane: metric changes of live input, on a topic of their own, read by a second consumer
  // group so that the directory takes a live change at once, not after an import's.
  const liveConsumer = await runConsumer({
    kafka,
    groupId: config.liveConsumerGroup,
    producer,
    logger: logger.child({ lane: 'live' }),
    settings: config.kafka,
    signal: shutdown.signal,
    metrics: metricsRegistry,
    handlers: [{ contract: LiveCustomerMetricsChangedV1, handle: (events) => directory.saveMetrics(events) }],
  });

  // RFM scores over the customer directory, with the same functions as the rfm service.
  const snapshots = new SnapshotCache(() => directory.fingerprint(), () => directory.allMetrics());
  const customerQueries = { snapshots, segmentMembers: (version: number, cluster: number) => directory.segmentMembers(version, cluster), latestSegments: () => cache.get('latestSegments', () => repository.latestSegments()) };
  const http = await serveSubgraph({ settings: config, descriptor: profilingSubgraph, resolvers: profilingResolvers(repository, config.holdoutShare, customerQueries, new MarketingRepository(db), cache), readiness: async () => combineReadiness(await databaseReadiness(db), consumerReadiness(consumer), consumerReadiness(liveConsumer, 'liveBroker')), metrics: metricsRegistry, logger });

  return {
    async close() {
      shutdown.abort();
      await http.close();
      await Promise.all([consumer.disconnect(), liveConsumer.disconnect()]);
      await producer.disconnect();
      await db.destroy();
    },
  };
}

runService('profiling-service', main);
