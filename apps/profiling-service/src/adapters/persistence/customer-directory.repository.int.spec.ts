// CustomerDirectoryRepository on the real MariaDB (profiling migrations): the read model fed by
// CustomerMetricsChanged, its idempotence, the fingerprint the score cache relies on, and erasure.
import type { DataSource } from 'typeorm';
import { CustomerMetricsChangedV1, type CustomerMetricsChanged, type CustomerMetricsData } from '@seg/contracts-events';
import { buildSnapshot, SnapshotCache, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { rememberErased } from '@seg/platform-persistence';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { CustomerDirectoryRepository } from './customer-directory.repository';
import { ProfilingRepository } from './profiling.repository';

/** A builder: customer n's aggregates, all different, with exact milli amounts and whole seconds. */
function metrics(n: number, overrides: Partial<CustomerMetricsData> = {}): CustomerMetricsData {
  const day = String(1 + (n % 28)).padStart(2, '0');
  return {
    customerId: String(20_000 + n),
    country: ['United Kingdom', 'Germany', 'France', 'EIRE'][n % 4] as string,
    firstPurchaseAt: `2010-12-${day}T08:${String(n % 60).padStart(2, '0')}:00Z`,
    lastPurchaseAt: `2011-02-${day}T17:${String(n % 60).padStart(2, '0')}:00Z`,
    frequency: 1 + (n % 9),
    monetaryMilli: 1_000 * (n + 1) + (n % 7) * 5,
    cancelledMilli: n % 5 === 0 ? 2_550 * (n % 3) : 0,
    asOf: '2011-03-01T17:00:00Z',
    ...overrides,
  };
}

const event = (data: CustomerMetricsData, occurredAt: string): CustomerMetricsChanged =>
  CustomerMetricsChangedV1.create(data, { correlationId: 'directory-int-spec', producer: 'rfm-service', occurredAt });

/** The aggregates the domain library works with, as the directory must give them back. */
const asMetrics = (d: CustomerMetricsData): CustomerMetrics => ({
  customerId: d.customerId,
  country: d.country,
  firstPurchaseAt: d.firstPurchaseAt,
  lastPurchaseAt: d.lastPurchaseAt,
  frequency: d.frequency,
  monetaryMilli: d.monetaryMilli,
  cancelledMilli: d.cancelledMilli,
});
const byId = (a: CustomerMetrics, b: CustomerMetrics) => a.customerId.localeCompare(b.customerId);

describe('CustomerDirectoryRepository (real MariaDB)', () => {
  const logger = createLogger('customer-directory-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let directory: CustomerDirectoryRepository;
  // More than one multi-row statement's worth (2,000 rows per statement).
  const population = Array.from({ length: 2_345 }, (_, n) => metrics(n));

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('profiling', migrations, logger));
    directory = new CustomerDirectoryRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('stores every customer of a batch and gives back exactly the published aggregates', async () => {
    expect(await directory.allMetrics()).toEqual([]);
    await directory.saveMetrics(population.map((d) => event(d, '2011-03-01T10:00:00.000Z')));
    expect((await directory.allMetrics()).sort(byId)).toEqual(population.map(asMetrics).sort(byId));
  });

  it('is idempotent: a replayed batch changes no value, no timestamp and not the fingerprint', async () => {
    const before = await directory.fingerprint();
    const stamps = await dataSource.query('SELECT customer_id, updated_at, changed_at FROM customer_directory ORDER BY customer_id');
    await new Promise((r) => setTimeout(r, 20));
    await directory.saveMetrics(population.map((d) => event(d, '2011-03-01T10:00:00.000Z')));
    expect(await directory.fingerprint()).toBe(before);
    expect(await dataSource.query('SELECT customer_id, updated_at, changed_at FROM customer_directory ORDER BY customer_id')).toEqual(stamps);
  });

  it('keeps the newest change of a customer: in one batch whatever the order, and against a late older event', async () => {
    const id = population[7]?.customerId as string;
    const newer = metrics(7, { frequency: 40, monetaryMilli: 987_654, lastPurchaseAt: '2011-02-28T09:00:00Z', country: 'Spain' });
    const older = metrics(7, { frequency: 30, monetaryMilli: 500_000 });
    // Newest first within the batch: the batch's newest (by occurredAt) still wins.
    await directory.saveMetrics([event(newer, '2011-03-02T10:00:00.002Z'), event(older, '2011-03-02T10:00:00.001Z')]);
    const stored = async () => (await directory.allMetrics()).find((m) => m.customerId === id);
    expect(await stored()).toEqual(asMetrics(newer));
    // A replay of the older event in a later batch changes nothing either.
    await directory.saveMetrics([event(older, '2011-03-02T10:00:00.001Z')]);
    expect(await stored()).toEqual(asMetrics(newer));
    // A change with the same occurredAt is taken (a republished change carries a new time anyway).
    const same = metrics(7, { ...newer, frequency: 41 });
    await directory.saveMetrics([event(same, '2011-03-02T10:00:00.002Z')]);
    expect(await stored()).toEqual(asMetrics(same));
    population[7] = same;
  });

  it('changes the fingerprint on a change, and the score cache rebuilds to the in-memory snapshot', async () => {
    let loads = 0;
    const cache = new SnapshotCache(
      () => directory.fingerprint(),
      async () => {
        loads++;
        return directory.allMetrics();
      },
    );
    const first = await cache.get();
    expect(first.segmentCounts).toEqual(buildSnapshot(population.map(asMetrics)).segmentCounts);
    expect(await cache.get()).toBe(first);
    expect(loads).toBe(1);

    const before = await directory.fingerprint();
    const changed = metrics(11, { frequency: population[11]!.frequency + 1, monetaryMilli: population[11]!.monetaryMilli + 7_650 });
    await directory.saveMetrics([event(changed, '2011-03-03T10:00:00.000Z')]);
    population[11] = changed;
    expect(await directory.fingerprint()).not.toBe(before);
    const second = await cache.get();
    expect(loads).toBe(2);
    const expected = buildSnapshot(population.map(asMetrics));
    expect(second.asOf).toBe(expected.asOf);
    expect(second.cutPoints).toEqual(expected.cutPoints);
    for (const [id, scored] of expected.customers) expect(second.customers.get(id)?.score).toEqual(scored.score);
  });

  it('lists the members of a cluster of a model version from the stored assignments', async () => {
    const profiling = new ProfilingRepository(dataSource);
    const assignment = (customerId: string, modelVersion: number, cluster: number) => ({ customerId, modelVersion, cluster, previousCluster: null, distance: 0.1, reason: 'training' as const });
    await profiling.saveAssignments([assignment('20001', 3, 0), assignment('20002', 3, 1), assignment('20003', 3, 0), assignment('20004', 2, 0)]);
    expect((await directory.segmentMembers(3, 0)).sort()).toEqual(['20001', '20003']);
    expect(await directory.segmentMembers(3, 1)).toEqual(['20002']);
    expect(await directory.segmentMembers(4, 0)).toEqual([]);
  });

  it('erases customers (inside a caller\'s transaction when given one), and unknown ids are no error', async () => {
    const count = async () => Number(((await dataSource.query('SELECT COUNT(*) AS n FROM customer_directory')) as [{ n: number | string }])[0].n);
    const before = await directory.fingerprint();
    await expect(
      dataSource.transaction(async (tx) => {
        await directory.eraseCustomers(['20001', '20002'], tx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await count()).toBe(population.length);

    expect(await directory.eraseCustomers(['20001', '20002', '20001', 'no-such-customer'])).toBe(2);
    expect(await count()).toBe(population.length - 2);
    expect((await directory.allMetrics()).map((m) => m.customerId)).not.toContain('20001');
    expect(await directory.fingerprint()).not.toBe(before);
    expect(await directory.eraseCustomers([])).toBe(0);
    expect(await count()).toBe(population.length - 2);
  });

  it('drops a change of a customer erased before it arrived, and keeps the others of the batch', async () => {
    await dataSource.transaction((tx) => rememberErased(tx, ['20001']));
    await directory.saveMetrics([event(metrics(1, { frequency: 50 }), '2011-03-04T10:00:00.000Z'), event(metrics(2), '2011-03-04T10:00:00.000Z')]);
    const stored = (await directory.allMetrics()).map((m) => m.customerId);
    expect(stored).not.toContain('20001');
    expect(stored).toContain('20002');
  });
});
