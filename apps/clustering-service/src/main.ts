import { CustomerErasureRequestedV1, CustomerMetricsChangedV1, ImportMetricsEndedV1, LiveCustomerMetricsChangedV1 } from '@seg/contracts-events';
import { counter, createLogger, createMetricsRegistry, describeError, histogram, runService, type RunningService } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, databaseReadiness } from '@seg/platform-persistence';
import { consumerReadiness, prepareKafka, runConsumer } from '@seg/platform-kafka';
import { combineReadiness, serveSubgraph } from '@seg/platform-subgraph';
import { loadConfig } from './config';
import { migrations } from './migrations';
import { Segmentation } from './application/segmentation';
import { ClusteringRepository } from './adapters/persistence/clustering.repository';
import { createAssignmentPublisher, createModelPublisher } from './adapters/kafka/segmentation-publisher';
import { clusteringSubgraph } from './adapters/graphql/schema';
import { clusteringResolvers } from './adapters/graphql/resolvers';
import { ModelMetricsWorker } from './adapters/worker/model-metrics-worker';

/** Composition root: config -> database -> Kafka -> handlers -> subgraph -> shutdown. */
async function main(): Promise<RunningService> {
  const config = loadConfig(process.env);
  const logger = createLogger('clustering-service', config.logLevel);
  const metricsRegistry = createMetricsRegistry('clustering-service');
  const shutdown = new AbortController();

  const db = await connectAndMigrate(createDataSource({ settings: config.database, entities: [], migrations }), logger, shutdown.signal);
  const { kafka, producer } = await prepareKafka(config.kafka, logger, shutdown.signal, metricsRegistry);
  const repository = new ClusteringRepository(db);
  // The k sweep on a thread of its own, next to the bundle (built apps); in line otherwise.
  const metricsWorker = ModelMetricsWorker.available() ? new ModelMetricsWorker() : undefined;
  if (!metricsWorker) logger.warn('model-metrics.worker.js is not next to the service: quality metrics are computed on the service\'s own thread');
  const trainingRuns = histogram(metricsRegistry, {
    name: 'seg_clustering_training_seconds',
    help: 'Training runs (the fit; its quality metrics come after) by trigger: automatic, import, scheduled, on-demand',
    labelNames: ['trigger'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const importsApplied = counter(metricsRegistry, { name: 'seg_clustering_imports_applied_total', help: 'Imports whose metric changes had all arrived (every end met), by whether they changed anything', labelNames: ['changed'] });
  const segmentation = new Segmentation({
    repository,
    policy: config.training,
    logger,
    publishModel: createModelPublisher(producer, config.kafka.topicPrefix),
    publishAssignments: createAssignmentPublisher(producer, config.kafka.topicPrefix),
    now: () => new Date(),
    observe: { trained: (trigger, seconds) => trainingRuns.observe({ trigger }, seconds), importApplied: (changed) => importsApplied.inc({ changed: String(changed) }) },
    ...(metricsWorker ? { computeMetrics: (customers, trained, options) => metricsWorker.compute(customers, trained, options) } : {}),
  });

  const consumer = await runConsumer({
    kafka,
    groupId: config.consumerGroup,
    producer,
    logger,
    settings: config.kafka,
    signal: shutdown.signal,
    metrics: metricsRegistry,
    handlers: [
      { contract: CustomerMetricsChangedV1, handle: (events) => segmentation.onMetrics(events) },
      // An import's end in the metric stream, after the metric events before it: once all of an
      // import's ends are met, a training run is considered at once.
      { contract: ImportMetricsEndedV1, handle: (events) => segmentation.onImportEnds(events) },
      {
        // GDPR art. 17: features, assignments and projection points go; later metric events are
        // dropped. Erasures count as changes, so the model's aggregates lose them at a retraining.
        contract: CustomerErasureRequestedV1,
        handle: async (events, context) => {
          const deleted = await repository.eraseCustomers(events.map((event) => event.data.customerId));
          context.logger.info({ erasures: events.length, ...deleted }, 'erased customers');
          segmentation.scheduleCheck();
        },
      },
    ],
  });
  // The live lane: metric changes of live input, on a topic of their own, read by a second consumer
  // group so that a live customer is placed at once, not after an import's queued changes.
  const liveConsumer = await runConsumer({
    kafka,
    groupId: config.liveConsumerGroup,
    producer,
    logger: logger.child({ lane: 'live' }),
    settings: config.kafka,
    signal: shutdown.signal,
    metrics: metricsRegistry,
    handlers: [{ contract: LiveCustomerMetricsChangedV1, handle: (events) => segmentation.onMetrics(events) }],
  });
  // A model stored just before a crash still reaches profiling and gets its quality metrics; a
  // training run that was due when the service stopped is not lost either: check once at start.
  void segmentation.publishPending().catch((error: unknown) => logger.error(`publishing stored models failed: ${describeError(error).message}`));
  void segmentation.completePendingMetrics().catch((error: unknown) => logger.error(`computing the metrics of stored models failed: ${describeError(error).message}`));
  void segmentation.resumeImports().catch((error: unknown) => logger.error(`training after an import applied before the start failed: ${describeError(error).message}`));
  segmentation.scheduleCheck();
  segmentation.startSchedule();

  const http = await serveSubgraph({ settings: config, descriptor: clusteringSubgraph, resolvers: clusteringResolvers(repository, segmentation), readiness: async () => combineReadiness(await databaseReadiness(db), consumerReadiness(consumer), consumerReadiness(liveConsumer, 'liveBroker')), metrics: metricsRegistry, logger });

  return {
    async close() {
      shutdown.abort();
      segmentation.stop();
      await http.close();
      await Promise.all([consumer.disconnect(), liveConsumer.disconnect()]);
      await producer.disconnect();
      await metricsWorker?.close();
      await db.destroy();
    },
  };
}

runService('clustering-service', main);
