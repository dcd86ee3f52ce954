import { CustomerErasureRequestedV1, TransactionLineRecordedV1, TransactionLineRecordedV2, upcastTransactionLineV1, type TransactionLinesRecorded } from '@seg/contracts-events';
import type { HandlerContext } from '@seg/platform-kafka';
import { SnapshotCache } from '@seg/domain-rfm';
import { counter, createLogger, createMetricsRegistry, runService, type RunningService } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, databaseReadiness } from '@seg/platform-persistence';
import { consumerReadiness, prepareKafka, runConsumer } from '@seg/platform-kafka';
import { combineReadiness, serveSubgraph } from '@seg/platform-subgraph';
import { loadConfig } from './config';
import { migrations } from './migrations';
import { recordLines } from './application/record-lines';
import { RfmRepository } from './adapters/persistence/rfm.repository';
import { createMetricsPublisher } from './adapters/kafka/metrics-publisher';
import { rfmSubgraph } from './adapters/graphql/schema';
import { rfmResolvers } from './adapters/graphql/resolvers';

/** Composition root: config -> database -> Kafka -> handlers -> subgraph -> shutdown. */
async function main(): Promise<RunningService> {
  const config = loadConfig(process.env);
  const logger = createLogger('rfm-service', config.logLevel);
  const metricsRegistry = createMetricsRegistry('rfm-service');
  const customersRecomputed = counter(metricsRegistry, { name: 'seg_rfm_customers_recomputed_total', help: 'Customers whose RFM metrics were published after a batch of lines (updated, or unchanged on a replay)' });
  const linesReceived = counter(metricsRegistry, { name: 'seg_rfm_lines_received_total', help: 'Transaction lines handed to the rfm service (new or replayed; an event carries one customer\'s lines)' });
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
  const publishMetrics = createMetricsPublisher(producer, config.kafka.topicPrefix);

  const handleLines = async (events: readonly TransactionLinesRecorded[], context: Pick<HandlerContext<string, number, unknown>, 'logger'>): Promise<void> => {
    const { lines, customers } = await recordLines(events, {
      recordLines: (batch) => repository.recordLines(batch),
      latestPurchase: () => repository.latestPurchase(),
      publishMetrics,
    });
    linesReceived.inc(lines);
    customersRecomputed.inc(customers);
    context.logger.debug({ events: events.length, lines, customers }, 'recorded lines');
  };

  const consumer = await runConsumer({
    kafka,
    groupId: config.consumerGroup,
    producer,
    logger,
    settings: config.kafka,
    signal: shutdown.signal,
    metrics: metricsRegistry,
    fetch: config.fetch,
    concurrency: config.concurrency,
    handlers: [
      { contract: TransactionLineRecordedV2, handle: (events, context) => handleLines(events, context) },
      // Lines published before v2 (still on the topic, or from an older ingest) read as v2 events of one line.
      { contract: TransactionLineRecordedV1, handle: (events, context) => handleLines(events.map(upcastTransactionLineV1), context) },
      {
        // GDPR art. 17: the customers' lines and metrics go; their later lines are dropped, so
        // nothing more is published for them.
        contract: CustomerErasureRequestedV1,
        handle: async (events, context) => {
          const deleted = await repository.eraseCustomers(events.map((event) => event.data.customerId));
          context.logger.info({ erasures: events.length, ...deleted }, 'erased customers');
        },
      },
    ],
  });

  const snapshots = new SnapshotCache(() => repository.fingerprint(), () => repository.allMetrics());
  const http = await serveSubgraph({ settings: config, descriptor: rfmSubgraph, resolvers: rfmResolvers(snapshots), readiness: async () => combineReadiness(await databaseReadiness(db), consumerReadiness(consumer)), metrics: metricsRegistry, logger });

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
