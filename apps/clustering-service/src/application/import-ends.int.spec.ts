// The end of an import in the metric stream on the real MariaDB (a database of its own): once every
// line partition's end is met in every metrics partition, the import's changes are all in the
// feature table and a training run is considered at once, not after the quiet period.
import type { DataSource } from 'typeorm';
import { CustomerMetricsChangedV1, ImportMetricsEndedV1, type CustomerMetricsChanged, type ImportMetricsEnded } from '@seg/contracts-events';
import { analysisDate, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, waitFor } from '@seg/testing';
import type { TrainingPolicy } from '../config';
import { migrations } from '../migrations';
import { ClusteringRepository, type StoredModel } from '../adapters/persistence/clustering.repository';
import { Segmentation } from './segmentation';
import { sampleCustomers } from '../testing/sample-customers';

describe('the end of an import (real MariaDB)', () => {
  const logger = createLogger('import-ends-int-spec', 'silent');
  const customers = sampleCustomers(8);
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const event = (m: CustomerMetrics): CustomerMetricsChanged => CustomerMetricsChangedV1.create({ ...m, asOf }, { correlationId: `metrics-${m.customerId}`, producer: 'import-ends-int-spec' });
  /**
   * The ends of an import over 3 line partitions and 2 metrics partitions, as rfm publishes them;
   * `changedIn`: the line partitions where it stored new lines (all by default).
   */
  const ends = (importJobId: string, changedIn: readonly number[] = [0, 1, 2]): ImportMetricsEnded[] =>
    [0, 1, 2].flatMap((linePartition) =>
      [0, 1].map((partition) =>
        ImportMetricsEndedV1.create({ importJobId, linePartition, linePartitions: 3, partition, partitions: 2, changed: changedIn.includes(linePartition) }, { correlationId: importJobId, producer: 'import-ends-int-spec' }),
      ),
    );
  // The quiet period and the thresholds never make a run due here: only an import's end can.
  const policy: TrainingPolicy = { k: 4, seed: 42, restarts: 2, minCustomers: 20, retrainMinChanged: 1_000, retrainChangedShare: 1, quietMs: 600_000, maxTrainingShare: 1, replaceEveryoneIntervalMs: 0, scheduleMs: 0 };

  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ClusteringRepository;
  let segmentation: Segmentation;
  const published: StoredModel[] = [];

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('clustering', migrations, logger));
    repository = new ClusteringRepository(dataSource);
    segmentation = new Segmentation({ repository, policy, logger, publishModel: async (model) => void published.push(model), publishAssignments: async () => undefined, now: () => new Date() });
  }, 30_000);

  afterAll(async () => {
    segmentation?.stop();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('counts each end once, whatever the order and the replays, and reports the import complete once, changed if any end says so', async () => {
    const all = ends('count-job', [1]);
    expect(await repository.recordImportEnds(all.slice(3).map((e) => e.data))).toEqual([]);
    // A replay of what was met, and all but the last end, in another order.
    expect(await repository.recordImportEnds([...all.slice(3), ...all.slice(1, 3)].reverse().map((e) => e.data))).toEqual([]);
    expect(await repository.recordImportEnds([all[0]!.data, all[4]!.data])).toEqual([{ importJobId: 'count-job', changed: true }]);
    // Met again (a replay after a crash): complete already, not reported twice.
    expect(await repository.recordImportEnds(all.map((e) => e.data))).toEqual([]);
  });

  it('two writers of the last ends at once: the import is reported complete by exactly one', async () => {
    const all = ends('race-job', []);
    await repository.recordImportEnds(all.slice(2).map((e) => e.data));
    const [a, b] = await Promise.all([repository.recordImportEnds([all[0]!.data]), repository.recordImportEnds([all[1]!.data])]);
    expect([...a, ...b]).toEqual([{ importJobId: 'race-job', changed: false }]);
  });

  it('trains as soon as an import\'s changes are all in, then again after a later import that changed a single customer', async () => {
    const [imported, later] = [customers.slice(0, -1), customers.slice(-1)];
    await segmentation.onMetrics(imported.map(event));
    // Every end but one: the import is not complete, nothing is trained.
    const first = ends('first-import');
    await segmentation.onImportEnds(first.slice(0, -1));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await repository.countModels()).toBe(0);
    // The last end: a model over every customer of the import, without the 10-minute quiet period.
    await segmentation.onImportEnds(first.slice(-1));
    const model = await waitFor('the model after the import', async () => published[0], 30_000, 50);
    expect(model).toMatchObject({ version: 1, customers: imported.length });

    // A second import changes one customer: far below the thresholds, but it is a whole import.
    await segmentation.onMetrics(later.map(event));
    await segmentation.onImportEnds(ends('second-import'));
    const second = await waitFor('the model after the second import', async () => published[1], 30_000, 50);
    expect(second).toMatchObject({ version: 2, customers: customers.length });

    // The second import's ends replayed: complete already, no run.
    await segmentation.onImportEnds(ends('second-import'));
    // A file imported again, while a live line changed a customer: the import stored no new line
    // (every end says so), so it trains nothing; the live change waits for the usual thresholds.
    await segmentation.onMetrics([event({ ...customers[0]!, frequency: customers[0]!.frequency + 1 })]);
    await segmentation.onImportEnds(ends('third-import', []));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await repository.countModels()).toBe(2);
  }, 60_000);

  it('after a restart, an import applied since the newest model still trains at once', async () => {
    const before = await repository.countModels();
    // The ends of an import that changed a customer are stored, and the process stops before its
    // training run (the ends recorded as the handler would, without the run).
    await segmentation.onMetrics([event({ ...customers[1]!, frequency: customers[1]!.frequency + 1 })]);
    expect(await repository.recordImportEnds(ends('before-restart').map((e) => e.data))).toEqual([{ importJobId: 'before-restart', changed: true }]);
    const restarted = new Segmentation({ repository, policy, logger, publishModel: async (model) => void published.push(model), publishAssignments: async () => undefined, now: () => new Date() });
    try {
      await restarted.resumeImports();
      expect(await repository.countModels()).toBe(before + 1);
      // Once trained, nothing is pending any more.
      await restarted.resumeImports();
      expect(await repository.countModels()).toBe(before + 1);
    } finally {
      restarted.stop();
    }
  }, 60_000);
});
