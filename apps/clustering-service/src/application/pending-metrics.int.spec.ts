// The quality metrics of a model stored without them (the service died between the model and its
// metrics), computed at start: on the real MariaDB (clustering migrations), with real sample
// customers and models trained the normal way. The publishers are ports: here they do nothing.
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { analysisDate } from '@seg/domain-rfm';
import { connectAndMigrate, createDataSource } from '@seg/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@seg/testing';
import type { TrainingPolicy } from '../config';
import { migrations } from '../migrations';
import { ClusteringRepository, type StoredModel } from '../adapters/persistence/clustering.repository';
import { sampleCustomers } from '../testing/sample-customers';
import { Segmentation } from './segmentation';
import { placeCustomers, trainedModelMetrics } from './train-model';

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly version?: number;
  readonly [field: string]: unknown;
}

describe('Segmentation.completePendingMetrics (real MariaDB)', () => {
  const customers = sampleCustomers(8);
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  // No automatic training during the test: the quiet period outlasts it.
  const policy: TrainingPolicy = { k: 4, seed: 42, restarts: 4, minCustomers: 20, retrainMinChanged: 1_000_000, retrainChangedShare: 1, quietMs: 600_000, maxTrainingShare: 0.25, replaceEveryoneIntervalMs: 0, scheduleMs: 0 };
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info', formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const recoveryLogs = () => logs.filter((l) => l.msg.startsWith('model was stored without its quality metrics'));

  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ClusteringRepository;
  let segmentation: Segmentation;

  /** The crash: the model's row as saveModel left it, before saveModelMetrics. */
  const dropMetrics = (version: number) => dataSource.query('UPDATE segmentation_models SET metrics = NULL WHERE version = ?', [version]);
  /** The stored metrics as MariaDB holds them (text), to see that nothing rewrote them. */
  const storedText = async (version: number): Promise<unknown> => {
    const rows: { metrics: unknown }[] = await dataSource.query('SELECT metrics FROM segmentation_models WHERE version = ?', [version]);
    return rows[0]?.metrics;
  };
  const trainOnDemand = async (k: number): Promise<StoredModel> => {
    const outcome = await segmentation.train(k, 'on-demand');
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.model;
  };

  beforeAll(async () => {
    database = await createTestDatabase('clustering');
    dataSource = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations }), pino({ level: 'silent' }));
    repository = new ClusteringRepository(dataSource);
    segmentation = new Segmentation({ repository, policy, logger, publishModel: async () => undefined, publishAssignments: async () => undefined, now: () => new Date() });
    await repository.upsertFeatures(customers.map((c) => ({ ...c, asOf })));
  }, 30_000);

  afterAll(async () => {
    segmentation?.stop();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('computes the metrics of a model stored without them exactly as its training run did, and a second run finds nothing to do', async () => {
    const trained = await trainOnDemand(4);
    expect(trained.metrics?.kSweep.length).toBeGreaterThan(0);
    expect(await repository.modelVersionsWithoutMetrics()).toEqual([]);
    expect(await segmentation.completePendingMetrics()).toEqual([]);

    // A placement moved a customer under the model (as one at a later analysis date does): the
    // clusters of the recomputed metrics are those training gave, not the stored assignments.
    const [first] = await repository.assignmentsUnder(trained.version);
    await repository.saveAssignments([{ ...first!, cluster: (first!.cluster + 1) % trained.k, distance: 9.5 }]);

    await dropMetrics(trained.version);
    expect(await repository.modelVersionsWithoutMetrics()).toEqual([trained.version]);
    expect((await repository.model(trained.version))?.metrics).toBeNull();

    logs.length = 0;
    expect(await segmentation.completePendingMetrics()).toEqual([trained.version]);
    const recovered = await repository.model(trained.version);
    // Same customers, features, scaler, centroids, clusters, seed and restarts: the same numbers,
    // to the last bit (JSON keeps doubles exactly).
    expect(recovered?.metrics).toEqual(trained.metrics);
    expect(recovered).toEqual(trained);
    expect(recoveryLogs()).toEqual([
      expect.objectContaining({ level: 'warn', version: trained.version, customers: customers.length, trainedOn: customers.length, changedSince: 0 }),
    ]);

    // The next start: nothing to do, nothing rewritten.
    const text = await storedText(trained.version);
    logs.length = 0;
    expect(await repository.modelVersionsWithoutMetrics()).toEqual([]);
    expect(await segmentation.completePendingMetrics()).toEqual([]);
    expect(await storedText(trained.version)).toBe(text);
    expect(await repository.model(trained.version)).toEqual(trained);
    expect(recoveryLogs()).toEqual([]);
  }, 60_000);

  it('computes them from the current features when customers changed since the run (those are not kept), oldest first, and skips a model with no customer left under it', async () => {
    const older = (await repository.latestModel())!;
    const newer = await trainOnDemand(3);
    // After the run, a customer's features change (stored, not yet placed).
    await new Promise((resolve) => setTimeout(resolve, 10)); // updated_at must be later than trainedAt
    const changed = { ...customers[3]!, frequency: customers[3]!.frequency + 25, monetaryMilli: customers[3]!.monetaryMilli * 4 };
    await repository.upsertFeatures([{ ...changed, asOf }]);

    await dropMetrics(older.version);
    await dropMetrics(newer.version);
    expect(await repository.modelVersionsWithoutMetrics()).toEqual([older.version, newer.version]);

    logs.length = 0;
    expect(await segmentation.completePendingMetrics()).toEqual([newer.version]);
    // Every customer of the older model is on the newer one now: nothing to compute it from.
    expect((await repository.model(older.version))?.metrics).toBeNull();
    expect(recoveryLogs()).toEqual([
      expect.objectContaining({ level: 'info', version: older.version }),
      expect.objectContaining({ level: 'warn', version: newer.version, customers: customers.length, trainedOn: customers.length, changedSince: 1 }),
    ]);

    // The newer model's metrics: over the customers' current features, with the clusters of the
    // model's centroids at its analysis date, its seed and the policy's restarts.
    const current = await repository.allFeatures();
    expect(current).toContainEqual(changed);
    const expected = trainedModelMetrics(
      current,
      { asOf: newer.asOf, k: newer.k, scaler: newer.scaler, centroids: newer.centroids, assignments: placeCustomers(current, newer, newer.asOf) },
      { seed: newer.seed, restarts: policy.restarts },
    );
    const recovered = await repository.model(newer.version);
    expect(recovered?.metrics).toEqual(expected);
    // ... which differ from what the run computed: the changed customer's point is another one.
    expect(recovered?.metrics?.kSweep).not.toEqual(newer.metrics?.kSweep);
    expect(recovered).toEqual({ ...newer, metrics: expected });

    // The next start finds the older model again and skips it; nothing changes.
    const text = await storedText(newer.version);
    logs.length = 0;
    expect(await segmentation.completePendingMetrics()).toEqual([]);
    expect(await repository.modelVersionsWithoutMetrics()).toEqual([older.version]);
    expect(await storedText(newer.version)).toBe(text);
    expect(recoveryLogs()).toEqual([expect.objectContaining({ level: 'info', version: older.version })]);
  }, 60_000);

  it('skips a model whose customers were all erased', async () => {
    const newest = (await repository.latestModel())!;
    await dropMetrics(newest.version);
    await repository.eraseCustomers(customers.map((c) => c.customerId));

    logs.length = 0;
    expect(await segmentation.completePendingMetrics()).toEqual([]);
    expect((await repository.model(newest.version))?.metrics).toBeNull();
    expect(recoveryLogs().map((l) => [l.level, l.version])).toEqual([
      ['info', newest.version - 1],
      ['info', newest.version],
    ]);
  }, 30_000);
});
