// Customer ids compare exactly in the clustering service's database (real MariaDB, clustering
// migrations), as in the maps the service keys by customer id: customers whose ids differ only by
// case ('abc' / 'ABC') or by an accent ('Ä1' / 'A1') keep a feature row and an assignment each,
// and erasing one leaves the other.
import type { DataSource } from 'typeorm';
import type { CustomerMetricsData } from '@seg/contracts-events';
import { analysisDate, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { FEATURES, trainModel } from '../../application/train-model';
import { sampleCustomers } from '../../testing/sample-customers';
import { ClusteringRepository } from './clustering.repository';

const [LOWER, UPPER, ACCENTED, PLAIN] = ['abc', 'ABC', 'Ä1', 'A1'] as const;

/** Look-alike customers with aggregates far apart (a big spender, a one-off buyer...), so that a model puts them in different clusters. */
const lookAlikes: CustomerMetrics[] = [
  { customerId: LOWER, country: 'United Kingdom', firstPurchaseAt: '2010-12-01T08:26:00Z', lastPurchaseAt: '2011-02-27T16:00:00Z', frequency: 40, monetaryMilli: 25_000_000, cancelledMilli: 0 },
  { customerId: UPPER, country: 'Germany', firstPurchaseAt: '2010-12-02T09:00:00Z', lastPurchaseAt: '2010-12-02T09:00:00Z', frequency: 1, monetaryMilli: 15_300, cancelledMilli: 2_550 },
  { customerId: ACCENTED, country: 'Spain', firstPurchaseAt: '2010-12-10T10:00:00Z', lastPurchaseAt: '2011-02-20T10:00:00Z', frequency: 6, monetaryMilli: 1_200_000, cancelledMilli: 0 },
  { customerId: PLAIN, country: 'Portugal', firstPurchaseAt: '2011-01-04T13:15:00Z', lastPurchaseAt: '2011-01-04T13:15:00Z', frequency: 1, monetaryMilli: 8_500, cancelledMilli: 0 },
];

/** Code unit order, as the service sorts ids in memory. */
const byId = (a: { customerId: string }, b: { customerId: string }): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

describe('ClusteringRepository with customer ids that differ only by case or accents (real MariaDB)', () => {
  const logger = createLogger('clustering-customer-ids-int-spec', 'silent');
  const customers = [...sampleCustomers(16), ...lookAlikes];
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const asEvent = (m: CustomerMetrics, revision = 1): CustomerMetricsData => ({ ...m, asOf, revision });
  const ids = lookAlikes.map((c) => c.customerId);
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ClusteringRepository;

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('clustering', migrations, logger));
    repository = new ClusteringRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('keeps a feature row per customer, in the order the code sorts ids', async () => {
    // One of each pair first, the other in a later batch: its upsert meets the stored row, if any.
    const first = customers.filter((c) => c.customerId !== UPPER && c.customerId !== PLAIN);
    expect((await repository.upsertFeatures(first.map((c) => asEvent(c)))).sort(byId)).toEqual([...first].sort(byId));
    const second = lookAlikes.filter((c) => c.customerId === UPPER || c.customerId === PLAIN);
    expect((await repository.upsertFeatures(second.map((c) => asEvent(c)))).sort(byId)).toEqual([...second].sort(byId));
    expect(await repository.allFeatures()).toEqual([...customers].sort(byId));
    expect(await repository.countFeatures()).toBe(customers.length);
  });

  it('keeps an assignment per customer, from training and from placements', async () => {
    const model = await repository.saveModel(trainModel(customers, { k: 4, seed: 42, restarts: 2 }), FEATURES, '2011-03-01T10:00:00.000Z');
    const trained = new Map((await repository.assignmentsUnder(model.version)).map((a) => [a.customerId, a.cluster]));
    expect(trained.size).toBe(customers.length);
    expect(new Set(ids.map((id) => trained.get(id))).size).toBeGreaterThan(1);
    expect((await repository.featuresUnder(model.version)).map((f) => f.customerId)).toEqual(customers.map((c) => c.customerId).sort());

    // Placements move each look-alike on its own.
    await repository.saveAssignments(ids.map((customerId, cluster) => ({ customerId, modelVersion: model.version, cluster, distance: 0.5 + cluster })));
    expect(await repository.assignmentsOf(ids)).toEqual(new Map(ids.map((customerId, cluster) => [customerId, { customerId, modelVersion: model.version, cluster, distance: 0.5 + cluster }])));
  }, 30_000);

  it('erasing one customer leaves the look-alike one', async () => {
    const projected = async (): Promise<string[]> => ((await repository.latestModel())?.metrics?.projection?.points ?? []).map((p) => p.customerId).filter((id) => ids.includes(id)).sort();
    expect(await projected()).toEqual([PLAIN, UPPER, LOWER, ACCENTED]);
    expect(await repository.eraseCustomers([LOWER, ACCENTED])).toEqual({ features: 2, assignments: 2, models: 1 });
    expect(await projected()).toEqual([PLAIN, UPPER]);
    expect((await repository.allFeatures()).filter((f) => ids.includes(f.customerId)).map((f) => f.customerId)).toEqual([PLAIN, UPPER]);
    expect([...(await repository.assignmentsOf(ids)).keys()].sort()).toEqual([PLAIN, UPPER]);
    // Later events of the erased customers are dropped; their look-alikes' are applied.
    const late = await repository.upsertFeatures(lookAlikes.map((c) => asEvent(c, 2)));
    expect(late.map((c) => c.customerId).sort()).toEqual([PLAIN, UPPER]);
  });
});
