// The feature table keeps the newest snapshot of each customer (real MariaDB, clustering
// migrations): rfm publishes CustomerMetricsChanged from two lanes, so a late older snapshot (a
// lower revision) must neither overwrite a newer one nor be placed on a centroid.
import type { DataSource } from 'typeorm';
import { CustomerMetricsChangedV1, type CustomerMetricsChanged, type CustomerMetricsData } from '@seg/contracts-events';
import { nearestCentroid } from '@seg/domain-clustering';
import { analysisDate, toRfmValues, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import type { TrainingPolicy } from '../../config';
import { migrations } from '../../migrations';
import { Segmentation } from '../../application/segmentation';
import { sampleCustomers } from '../../testing/sample-customers';
import { ClusteringRepository, type Assignment, type StoredModel } from './clustering.repository';

const logger = createLogger('feature-revision-int-spec', 'silent');

/** A builder: customer `id`'s aggregates, with whole seconds and exact milli amounts. */
function metrics(id: string, revision: number | undefined, overrides: Partial<CustomerMetricsData> = {}): CustomerMetricsData {
  return {
    customerId: id,
    country: 'United Kingdom',
    firstPurchaseAt: '2010-12-01T08:26:00Z',
    lastPurchaseAt: '2011-02-10T12:00:00Z',
    frequency: 3,
    monetaryMilli: 120_500,
    cancelledMilli: 0,
    asOf: '2011-03-01T17:00:00Z',
    ...(revision === undefined ? {} : { revision }),
    ...overrides,
  };
}

/** The aggregates as the repository gives them back. */
const asMetrics = ({ asOf: _asOf, revision: _revision, ...m }: CustomerMetricsData): CustomerMetrics => m;

describe('ClusteringRepository.upsertFeatures keeps the newest revision (real MariaDB)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ClusteringRepository;

  /** The stored row of a customer: its features, revision and updated_at. */
  const stored = async (id: string) => {
    const features = (await repository.allFeatures()).find((f) => f.customerId === id);
    const rows: { revision: number | string; updated_at: Date }[] = await dataSource.query('SELECT revision, updated_at FROM customer_features WHERE customer_id = ?', [id]);
    return { features, revision: rows[0] === undefined ? undefined : Number(rows[0].revision), updatedAt: rows[0]?.updated_at.toISOString() };
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('clustering', migrations, logger));
    repository = new ClusteringRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('keeps revision 3 when revision 2 arrives late, and does not return the late one for placement', async () => {
    const newer = metrics('late-1', 3, { frequency: 9, monetaryMilli: 900_000, lastPurchaseAt: '2011-02-20T09:00:00Z', country: 'Spain' });
    const older = metrics('late-1', 2, { frequency: 8, monetaryMilli: 800_000, lastPurchaseAt: '2011-02-15T09:00:00Z' });
    expect(await repository.upsertFeatures([newer])).toEqual([asMetrics(newer)]);
    const before = await stored('late-1');
    await new Promise((r) => setTimeout(r, 20));

    // The late event comes with another customer's: that one is stored and returned, the late one neither.
    const other = metrics('late-2', 1);
    expect(await repository.upsertFeatures([older, other])).toEqual([asMetrics(other)]);
    expect(await stored('late-1')).toEqual({ features: asMetrics(newer), revision: 3, updatedAt: before.updatedAt });
    expect((await stored('late-2')).features).toEqual(asMetrics(other));
  });

  it('changes nothing when the same event comes twice (a replay)', async () => {
    const event = metrics('replay-1', 5, { frequency: 6 });
    await repository.upsertFeatures([event]);
    const before = await stored('replay-1');
    await new Promise((r) => setTimeout(r, 20));
    // Applied again (the same values): returned, and the row, its revision and updated_at stay.
    expect(await repository.upsertFeatures([event])).toEqual([asMetrics(event)]);
    expect(await stored('replay-1')).toEqual(before);
    expect(before).toMatchObject({ features: asMetrics(event), revision: 5 });
  });

  it('applies an event without revision to a new customer and to a row without one, and drops it on a row with a revision', async () => {
    const first = metrics('legacy-1', undefined, { frequency: 1, monetaryMilli: 10_000 });
    expect(await repository.upsertFeatures([first])).toEqual([asMetrics(first)]);
    expect(await stored('legacy-1')).toMatchObject({ features: asMetrics(first), revision: 0 });

    // Both published before rfm had revisions: applied as they come, as before revisions existed.
    const second = metrics('legacy-1', undefined, { frequency: 2, monetaryMilli: 20_000 });
    expect(await repository.upsertFeatures([second])).toEqual([asMetrics(second)]);
    expect(await stored('legacy-1')).toMatchObject({ features: asMetrics(second), revision: 0 });

    // The first event with a revision replaces a row without one.
    const revised = metrics('legacy-1', 1, { frequency: 3, monetaryMilli: 30_000 });
    expect(await repository.upsertFeatures([revised])).toEqual([asMetrics(revised)]);
    expect(await stored('legacy-1')).toMatchObject({ features: asMetrics(revised), revision: 1 });

    // From then on an event without revision is older than the row: dropped, not returned.
    const before = await stored('legacy-1');
    await new Promise((r) => setTimeout(r, 20));
    const stale = metrics('legacy-1', undefined, { frequency: 4, monetaryMilli: 40_000 });
    expect(await repository.upsertFeatures([stale])).toEqual([]);
    expect(await stored('legacy-1')).toEqual(before);
  });

  it('keeps revision 3 of one batch holding revisions 2 and 3 of a customer, in either order', async () => {
    const r2 = (id: string) => metrics(id, 2, { frequency: 2, monetaryMilli: 22_000, country: 'France' });
    const r3 = (id: string) => metrics(id, 3, { frequency: 3, monetaryMilli: 33_000, country: 'Germany' });
    const returned = await repository.upsertFeatures([r2('batch-up'), r3('batch-down'), r3('batch-up'), r2('batch-down')]);
    expect(returned).toEqual([asMetrics(r3('batch-up')), asMetrics(r3('batch-down'))]);
    expect(await stored('batch-up')).toMatchObject({ features: asMetrics(r3('batch-up')), revision: 3 });
    expect(await stored('batch-down')).toMatchObject({ features: asMetrics(r3('batch-down')), revision: 3 });

    // An event without revision in the batch of one with a revision, after it: the revision wins.
    const legacy = metrics('batch-legacy', undefined, { frequency: 7 });
    const revised = metrics('batch-legacy', 2, { frequency: 5 });
    expect(await repository.upsertFeatures([revised, legacy])).toEqual([asMetrics(revised)]);
    expect(await stored('batch-legacy')).toMatchObject({ features: asMetrics(revised), revision: 2 });

    // And the batch's revisions against a stored higher one: both dropped.
    const stored4 = metrics('batch-stored', 4, { frequency: 4 });
    await repository.upsertFeatures([stored4]);
    expect(await repository.upsertFeatures([metrics('batch-stored', 3), metrics('batch-stored', 2)])).toEqual([]);
    expect(await stored('batch-stored')).toMatchObject({ features: asMetrics(stored4), revision: 4 });
  });
});

describe('Segmentation.onMetrics with a late older snapshot (real MariaDB)', () => {
  const customers = sampleCustomers(8);
  const asOf = analysisDate(customers.map((c) => c.lastPurchaseAt));
  const event = (m: CustomerMetrics, revision: number): CustomerMetricsChanged =>
    CustomerMetricsChangedV1.create({ ...m, asOf, revision }, { correlationId: `metrics-${m.customerId}-r${revision}`, producer: 'feature-revision-int-spec' });
  // No automatic training during the test: the quiet period outlasts it.
  const policy: TrainingPolicy = { k: 4, seed: 42, restarts: 4, minCustomers: 20, retrainMinChanged: 1_000_000, retrainChangedShare: 1, quietMs: 600_000, maxTrainingShare: 0.25, replaceEveryoneIntervalMs: 0, scheduleMs: 0 };
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ClusteringRepository;
  let segmentation: Segmentation;
  const placements: (Assignment & { previousCluster: number | null })[][] = [];

  const scaledPoint = (model: Pick<StoredModel, 'scaler'>, m: CustomerMetrics): number[] => {
    const v = toRfmValues(m, asOf);
    return [v.recencyDays, v.frequency, v.monetary].map((x, j) => (Math.log1p(x) - model.scaler.center[j]!) / model.scaler.scale[j]!);
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('clustering', migrations, logger));
    repository = new ClusteringRepository(dataSource);
    segmentation = new Segmentation({
      repository,
      policy,
      logger,
      publishModel: async () => undefined,
      publishAssignments: async (assignments, reason) => {
        if (reason === 'placement') placements.push([...assignments]);
      },
      now: () => new Date(),
    });
    await segmentation.onMetrics(customers.map((c) => event(c, 1)));
    const outcome = await segmentation.train(4, 'on-demand');
    if (!outcome.ok) throw new Error(outcome.message);
  }, 60_000);

  afterAll(async () => {
    segmentation?.stop();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('neither moves the stored assignment nor publishes a placement for a stale event', async () => {
    const model = (await repository.latestModel())!;
    const latest = customers.map((c) => c.lastPurchaseAt).sort().at(-1)!;
    const before = await repository.assignmentsOf(customers.map((c) => c.customerId));
    // A stale snapshot that would move its customer to another cluster (the best customer of the
    // slice, on the last day: the analysis date stays where it is).
    const best = { frequency: Math.max(...customers.map((c) => c.frequency)), monetaryMilli: Math.max(...customers.map((c) => c.monetaryMilli)), lastPurchaseAt: latest };
    const candidate = customers.find((c) => nearestCentroid(scaledPoint(model, { ...c, ...best }), model.centroids).cluster !== before.get(c.customerId)!.cluster);
    if (!candidate) throw new Error('no customer of the slice would change cluster');
    const id = candidate.customerId;

    // Revision 3 keeps the customer where it is (a penny more) and is placed at once.
    const newer: CustomerMetrics = { ...candidate, monetaryMilli: candidate.monetaryMilli + 10 };
    expect(nearestCentroid(scaledPoint(model, newer), model.centroids).cluster).toBe(before.get(id)!.cluster);
    await segmentation.onMetrics([event(newer, 3)]);
    const placed = (await repository.assignmentsOf([id])).get(id)!;
    expect(placed).toMatchObject({ modelVersion: model.version, cluster: before.get(id)!.cluster });
    expect(placed.distance).toBeCloseTo(nearestCentroid(scaledPoint(model, newer), model.centroids).distance, 9);
    const calls = placements.length;

    // Revision 2 arrives late: dropped, so not placed, not published, and the assignment stays.
    await segmentation.onMetrics([event({ ...candidate, ...best }, 2)]);
    expect(placements).toHaveLength(calls);
    expect((await repository.assignmentsOf([id])).get(id)).toEqual(placed);
    expect((await repository.allFeatures()).find((f) => f.customerId === id)).toEqual(newer);
  }, 30_000);
});
