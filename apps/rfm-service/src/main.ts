import type { CustomerErasureRequested, ImportLinesEnded, TransactionLinesRecorded } from '@seg/contracts-events';
import { SnapshotCache } from '@seg/domain-rfm';
import { counter, createLogger, createMetricsRegistry, runService, type RunningService } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, databaseReadiness } from '@seg/platform-persistence';
import { prepareKafka } from '@seg/platform-kafka';
import { combineReadiness, serveSubgraph } from '@seg/platform-subgraph';
import { loadConfig } from './config';
import { migrations } from './migrations';
import { ImportChanges, recordLines } from './application/record-lines';
import { RfmRepository } from './adapters/persistence/rfm.repository';
import { createImportEndForwarder, createMetricsPublisher } from './adapters/kafka/metrics-publisher';
import { runRfmConsumers, type BatchContext, type Lane } from './adapters/kafka/line-consumers';
import { rfmSubgraph } from './adapters/graphql/schema';
import { rfmResolvers } from './adapters/graphql/resolvers';

/** Composition root: config -> database -> Kafka -> handlers -> subgraph -> shutdown. */
async function main(): Promise<RunningService> {
  const config = loadConfig(process.env);
  const logger = createLogger('rfm-service', config.logLevel);
  const metricsRegistry = createMetricsRegistry('rfm-service');
  const customersRecomputed = counter(metricsRegistry, { name: 'seg_rfm_customers_recomputed_total', help: 'Customers whose RFM metrics were published after a batch of lines (updated, or unchanged on a replay)' });
  const linesReceived = counter(metricsRegistry, { name: 'seg_rfm_lines_received_total', help: 'Transaction lines handed to the rfm service (new or replayed; an event carries one customer\'s lines)' });
  const linesStored = counter(metricsRegistry, { name: 'seg_rfm_lines_stored_total', help: 'Transaction lines stored for the first time (a replayed line is not counted), after their transaction committed' });
  const shutdown = new AbortController();

  const db = await connectAndMigrate(createDataSource({ settings: config.database, entities: [], migrations }), logger, shutdown.signal);
  const { kafka, producer } = await prepareKafka(config.kafka, logger, shutdown.signal, metricsRegistry);
  const writeRetries = counter(metricsRegistry, {
    name: 'seg_rfm_write_retries_total',
    help: 'Transactions of a batch of lines tried again after a concurrent writer (duplicate line or deadlock)',
    labelNames: ['code'],
  });
  const repository = new RfmRepository(
    db,
    (code) => writeRetries.inc({ code }),
    // Once: the lines then go in by multi-row INSERT (slower, same result) until a restart.
    (error) => logger.warn({ err: error }, 'the database refuses LOAD DATA LOCAL INFILE: storing lines by multi-row INSERT instead; allow local_infile on the server to load them'),
  );
  const publishMetrics = { import: createMetricsPublisher(producer, config.kafka.topicPrefix, 'import'), live: createMetricsPublisher(producer, config.kafka.topicPrefix, 'live') };
  // Which imports stored new lines, per partition: the end of an import that changed nothing says so.
  const importChanges = new ImportChanges();

  const handleLines = async (events: readonly TransactionLinesRecorded[], context: BatchContext, lane: Lane): Promise<void> => {
    const { lines, newLines, customers } = await recordLines(events, {
      recordLines: (batch) => repository.recordLines(batch),
      latestPurchase: () => repository.latestPurchase(),
      publishMetrics: publishMetrics[lane],
    });
    importChanges.note(events, context.partition, newLines);
    linesReceived.inc(lines);
    linesStored.inc(newLines);
    customersRecomputed.inc(customers);
    context.logger.debug({ events: events.length, lines, customers }, 'recorded lines');
  };

  // GDPR art. 17: the customers' lines and metrics go; their later lines are dropped, so nothing
  // more is published for them.
  const eraseCustomers = async (events: readonly CustomerErasureRequested[], context: BatchContext): Promise<void> => {
    const deleted = await repository.eraseCustomers(events.map((event) => event.data.customerId));
    context.logger.info({ erasures: events.length, ...deleted }, 'erased customers');
  };

  // The end of an import's lines in a partition, passed on to the metric stream once its lines'
  // metrics are out: clustering then knows when it has every change of the import.
  const forwardImportEnd = createImportEndForwarder(kafka, producer, config.kafka.topicPrefix);
  const endImports = async (events: readonly ImportLinesEnded[], context: BatchContext): Promise<void> => {
    await forwardImportEnd(events, context.partition, (job) => importChanges.take(job, context.partition));
    context.logger.info({ imports: [...new Set(events.map((event) => event.data.importJobId))] }, 'an import\'s lines in this partition are all recorded');
  };

  // Two lanes, each a consumer group of its own with the same handler: imports (and v1 lines,
  // erasures) on one, live input on the other, so that a live line never waits behind an import's
  // batches.
  const consumers = await runRfmConsumers({
    kafka,
    producer,
    logger,
    settings: config.kafka,
    groups: { main: config.consumerGroup, live: config.liveConsumerGroup },
    signal: shutdown.signal,
    metrics: metricsRegistry,
    fetch: config.fetch,
    concurrency: config.concurrency,
    handleLines,
    eraseCustomers,
    endImports,
  });

  const snapshots = new SnapshotCache(() => repository.fingerprint(), () => repository.allMetrics());
  const http = await serveSubgraph({ settings: config, descriptor: rfmSubgraph, resolvers: rfmResolvers(snapshots), readiness: async () => combineReadiness(await databaseReadiness(db), consumers.readiness()), metrics: metricsRegistry, logger });

  return {
    async close() {
      shutdown.abort();
      await http.close();
      await consumers.disconnect();
      await producer.disconnect();
      await db.destroy();
    },
  };
}

runService('rfm-service', main);
