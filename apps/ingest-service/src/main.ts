import { createLogger, createMetricsRegistry, runService, type RunningService } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, databaseReadiness } from '@seg/platform-persistence';
import { prepareKafka } from '@seg/platform-kafka';
import { serveSubgraph } from '@seg/platform-subgraph';
import { loadConfig } from './config';
import { migrations } from './migrations';
import { ImportJobs } from './application/import-jobs';
import { openCsvSource } from './adapters/csv-source';
import { importPathChecker } from './adapters/import-path';
import { createLinePublisher } from './adapters/kafka/line-publisher';
import { lineMetrics } from './adapters/metrics/line-metrics';
import { ImportJobRepository, type ImportJobRecord } from './adapters/persistence/import-job.repository';
import { CustomerDirectoryRepository } from './adapters/persistence/customer-directory.repository';
import { ingestSubgraph } from './adapters/graphql/schema';
import { ingestResolvers } from './adapters/graphql/resolvers';

/** Composition root: config -> database -> Kafka -> use cases -> subgraph -> shutdown. */
async function main(): Promise<RunningService> {
  const config = loadConfig(process.env);
  const logger = createLogger('ingest-service', config.logLevel);
  const metricsRegistry = createMetricsRegistry('ingest-service');
  const shutdown = new AbortController();

  const db = await connectAndMigrate(createDataSource({ settings: config.database, entities: [], migrations }), logger, shutdown.signal);
  const { producer } = await prepareKafka(config.kafka, logger, shutdown.signal, metricsRegistry);

  const jobs = new ImportJobRepository(db);
  const customers = new CustomerDirectoryRepository(db);
  const upsertCustomers = (lines: Parameters<CustomerDirectoryRepository['upsert']>[0]) => customers.upsert(lines);
  const imports = new ImportJobs<ImportJobRecord>({
    jobs,
    checkPath: importPathChecker(config.importRoots),
    open: openCsvSource,
    ports: {
      publishLines: createLinePublisher(producer, config.kafka.topicPrefix, 'csv'),
      recordProgress: (jobId, rejections, counters) => jobs.recordProgress(jobId, rejections, counters),
      upsertCustomers,
      countLines: lineMetrics(metricsRegistry, 'csv'),
    },
    batchSize: config.publishBatchSize,
    logger,
    signal: shutdown.signal,
  });

  const http = await serveSubgraph({ settings: config, descriptor: ingestSubgraph, resolvers: ingestResolvers({ jobs, customers, imports, live: { publishLines: createLinePublisher(producer, config.kafka.topicPrefix, 'api'), upsertCustomers, countLines: lineMetrics(metricsRegistry, 'api') } }), readiness: () => databaseReadiness(db), metrics: metricsRegistry, logger });

  return {
    async close() {
      shutdown.abort();
      await http.close();
      await imports.drain();
      await producer.disconnect();
      await db.destroy();
    },
  };
}

runService('ingest-service', main);
