import { createLogger, createMetricsRegistry, runService, type RunningService } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, databaseReadiness } from '@seg/platform-persistence';
import { consumerReadiness, prepareKafka, runConsumer } from '@seg/platform-kafka';
import { RawTransactionSubmittedV1 } from '@seg/contracts-events';
import { consumeRawTransactions } from './application/consume-raw-transactions';
import { combineReadiness, serveSubgraph } from '@seg/platform-subgraph';
import { loadConfig } from './config';
import { migrations } from './migrations';
import { ImportJobs } from './application/import-jobs';
import { openCsvSource } from '@seg/platform-csv';
import { importPathChecker } from './adapters/import-path';
import { ImportUploads } from './adapters/http/import-uploads';
import { createImportEndPublisher, createLinePublisher } from './adapters/kafka/line-publisher';
import { lineMetrics } from './adapters/metrics/line-metrics';
import { ImportJobRepository, type ImportJobRecord } from './adapters/persistence/import-job.repository';
import { CustomerDirectoryRepository } from './adapters/persistence/customer-directory.repository';
import { CustomerErasureRepository } from './adapters/persistence/customer-erasure.repository';
import { createErasurePublisher } from './adapters/kafka/erasure-publisher';
import { ErasedCustomers, publishPendingErasures, type EraseCustomerPorts } from './application/customer-erasure';
import { ingestSubgraph } from './adapters/graphql/schema';
import { ingestResolvers } from './adapters/graphql/resolvers';

/** How often erased customers are reloaded (erasures on other replicas) and pending erasure events sent again. */
const ERASURE_REFRESH_MS = 10_000;

/** Composition root: config -> database -> Kafka -> use cases -> subgraph -> shutdown. */
async function main(): Promise<RunningService> {
  const config = loadConfig(process.env);
  const logger = createLogger('ingest-service', config.logLevel);
  const metricsRegistry = createMetricsRegistry('ingest-service');
  const shutdown = new AbortController();

  const db = await connectAndMigrate(createDataSource({ settings: config.database, entities: [], migrations }), logger, shutdown.signal);
  const { kafka, producer } = await prepareKafka(config.kafka, logger, shutdown.signal, metricsRegistry);
  const streamCounts = lineMetrics(metricsRegistry, 'stream');

  const jobs = new ImportJobRepository(db);
  const customers = new CustomerDirectoryRepository(db);
  // Imports left RUNNING by a process that stopped (here or on another replica) are failed with a
  // clear message, at start and then periodically.
  const failInterrupted = () =>
    jobs.failInterrupted(config.importStaleMs).then(
      (n) => n > 0 && logger.warn({ jobs: n }, 'marked interrupted imports as failed'),
      (error: unknown) => logger.warn(`could not check for interrupted imports: ${String(error)}`),
    );
  await failInterrupted();
  const staleCheck = setInterval(() => void failInterrupted(), Math.max(1_000, config.importStaleMs / 2));
  staleCheck.unref();
  const upsertCustomers = (lines: Parameters<CustomerDirectoryRepository['upsert']>[0]) => customers.upsert(lines);

  // Erased customers: their digests in memory for the import hot path, reloaded periodically;
  // erasure events that could not be published are sent again on the same beat.
  const erasures = new CustomerErasureRepository(db);
  const erased = new ErasedCustomers();
  erased.add(await erasures.digests());
  const isErased = (customerId: string) => erased.has(customerId);
  const erasure: EraseCustomerPorts = {
    record: (request) => erasures.record(request),
    publish: createErasurePublisher(producer, config.kafka.topicPrefix),
    markPublished: (digest) => erasures.markPublished(digest),
    pending: () => erasures.pending(),
    erased,
    logger,
  };
  const refreshErasures = () =>
    erasures
      .digests()
      .then((digests) => erased.add(digests))
      .then(() => publishPendingErasures(erasure))
      .then(
        (n) => n > 0 && logger.info({ erasures: n }, 'published pending erasure events'),
        (error: unknown) => logger.warn(`could not refresh erased customers: ${String(error)}`),
      );
  await refreshErasures();
  const erasureRefresh = setInterval(() => void refreshErasures(), ERASURE_REFRESH_MS);
  erasureRefresh.unref();
  const imports = new ImportJobs<ImportJobRecord>({
    jobs,
    checkPath: importPathChecker(config.importRoots),
    open: openCsvSource,
    ports: {
      publishLines: createLinePublisher(producer, config.kafka.topicPrefix, 'csv'),
      recordProgress: (jobId, rejections, counters) => jobs.recordProgress(jobId, rejections, counters),
      upsertCustomers,
      countLines: lineMetrics(metricsRegistry, 'csv'),
      isErased,
    },
    endLines: createImportEndPublisher(kafka, producer, config.kafka.topicPrefix),
    batchSize: config.publishBatchSize,
    logger,
    signal: shutdown.signal,
  });

  // CSV uploads (the gateway's POST /imports): stored in the upload folder, imported like a path.
  const uploads = new ImportUploads({ dir: config.uploadDir, maxBytes: config.maxUploadBytes, staleMs: config.importStaleMs, imports, logger });
  const sweepUploads = () =>
    uploads.sweep().then(
      (n) => n > 0 && logger.info({ files: n, dir: config.uploadDir }, 'deleted uploads left behind by a stopped import'),
      (error: unknown) => logger.warn(`could not clean the upload folder: ${String(error)}`),
    );
  await sweepUploads();
  const uploadSweep = setInterval(() => void sweepUploads(), Math.max(1_000, config.importStaleMs / 2));
  uploadSweep.unref();

  // A shop's live input: raw transactions on their own topic, validated like the API's.
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
        contract: RawTransactionSubmittedV1,
        handle: async (events, context) => {
          await consumeRawTransactions(events, { publishLines: createLinePublisher(producer, config.kafka.topicPrefix, 'stream'), upsertCustomers, countLines: streamCounts, isErased }, context.reject);
        },
      },
    ],
  });

  const http = await serveSubgraph({ settings: config, descriptor: ingestSubgraph, resolvers: ingestResolvers({ jobs, customers, imports, live: { publishLines: createLinePublisher(producer, config.kafka.topicPrefix, 'api'), upsertCustomers, countLines: lineMetrics(metricsRegistry, 'api'), isErased }, erasure }), internalRoutes: uploads.routes, readiness: async () => combineReadiness(await databaseReadiness(db), consumerReadiness(consumer)), metrics: metricsRegistry, logger });

  return {
    async close() {
      shutdown.abort();
      clearInterval(staleCheck);
      clearInterval(erasureRefresh);
      clearInterval(uploadSweep);
      await http.close();
      await imports.drain();
      await consumer.disconnect();
      await producer.disconnect();
      await db.destroy();
    },
  };
}

runService('ingest-service', main);
