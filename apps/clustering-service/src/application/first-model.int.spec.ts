// The first model of a shop on the real MariaDB (a database of its own: no model before), fed with
// metric events of real sample customers.
import type { DataSource } from 'typeorm';
import { CustomerMetricsChangedV1, type CustomerMetricsChanged } from '@seg/contracts-events';
import { analysisDate, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase } from '@seg/testing';
import type { TrainingPolicy } from '../config';
import { migrations } from '../migrations';
import { ClusteringRepository } from '../adapters/persistence/clustering.repository';
import { Segmentation } from './segmentation';
import { sampleCustomers } from '../testing/sample-customers';

describe('the first model (real MariaDB)', () => {
  const logger = createLogger('first-model-int-spec', 'silent');
  const customers = sampleCustomers(8);
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const event = (m: CustomerMetrics): CustomerMetricsChanged =>
    CustomerMetricsChangedV1.create({ ...m, asOf }, { correlationId: `metrics-${m.customerId}`, producer: 'first-model-int-spec' });
  // Thresholds far above what the test adds, no rest between runs (share 1), and runs only when
  // the test asks (maybeTrain), never from the quiet timer.
  const policy: TrainingPolicy = { k: 4, seed: 42, restarts: 2, minCustomers: 20, retrainMinChanged: 1_000, retrainChangedShare: 1, quietMs: 600_000, maxTrainingShare: 1, replaceEveryoneIntervalMs: 0, scheduleMs: 0 };

  let database: TestDatabase;
  let dataSource: DataSource;
  let segmentation: Segmentation;

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('clustering', migrations, logger));
    segmentation = new Segmentation({ repository: new ClusteringRepository(dataSource), policy, logger, publishModel: async () => undefined, publishAssignments: async () => undefined, now: () => new Date() });
  }, 30_000);

  afterAll(async () => {
    segmentation?.stop();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('retrains once for the customers the first model missed, however few; later models wait for the thresholds', async () => {
    expect(customers.length).toBeGreaterThan(40);
    const [early, late, later] = [customers.slice(0, -10), customers.slice(-10, -5), customers.slice(-5)];
    // The first model, while the import still runs: the last ten customers are not there yet.
    await segmentation.onMetrics(early.map(event));
    const first = await segmentation.maybeTrain();
    expect(first).toMatchObject({ version: 1, customers: early.length });
    // Five more arrive: far below the thresholds, but the first model missed them.
    await segmentation.onMetrics(late.map(event));
    const second = await segmentation.maybeTrain();
    expect(second).toMatchObject({ version: 2, customers: early.length + late.length });
    // Nothing new: nothing due.
    expect(await segmentation.maybeTrain()).toBeNull();
    // Five more under the second model: they wait for the thresholds (they are placed meanwhile).
    await segmentation.onMetrics(later.map(event));
    expect(await segmentation.maybeTrain()).toBeNull();
  }, 60_000);
});
