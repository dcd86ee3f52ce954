// ProfilingRepository on the real MariaDB (profiling migrations). The models are built here; their
// numbers only have to be consistent, what is checked is what the repository keeps and returns.
import type { DataSource } from 'typeorm';
import { SegmentationModelTrainedV1, type CustomerSegmentAssignedData, type SegmentationModelData } from '@seg/contracts-events';
import { DEFAULT_COUPON_RULES, type CouponRule } from '@seg/domain-profiling';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { profileModel } from '../../application/profile-models';
import { ProfilingRepository, type SegmentRecord } from './profiling.repository';

type Triple = { recencyDays: number; frequency: number; monetary: number };

/** A model whose population is exactly the sum of its clusters. */
function model(version: number, clusters: { size: number; revenueMilli: number; centroid: Triple; country: string }[]): SegmentationModelData {
  return {
    modelVersion: version,
    trainedAt: `2011-03-0${version}T10:00:00.000Z`,
    asOf: '2011-03-01T17:00:00Z',
    k: clusters.length,
    features: ['recency_days', 'frequency', 'monetary'],
    inertia: 100 / version,
    population: {
      customers: clusters.reduce((sum, c) => sum + c.size, 0),
      revenueMilli: clusters.reduce((sum, c) => sum + c.revenueMilli, 0),
      medians: { recencyDays: 30, frequency: 2, monetary: 400 },
      cutPoints: { recency: [7, 20, 40, 70], frequency: [1, 1, 2, 4], monetary: [150, 300, 550, 1100] },
    },
    clusters: clusters.map((c, cluster) => ({
      cluster,
      size: c.size,
      revenueMilli: c.revenueMilli,
      centroid: c.centroid,
      medians: c.centroid,
      topCountries: [{ country: c.country, customers: c.size }],
    })),
  };
}

const v1 = model(1, [
  { size: 120, revenueMilli: 240_000_000, centroid: { recencyDays: 5, frequency: 8, monetary: 2_000 }, country: 'United Kingdom' },
  { size: 300, revenueMilli: 90_000_000, centroid: { recencyDays: 80, frequency: 1, monetary: 300 }, country: 'United Kingdom' },
  { size: 200, revenueMilli: 80_000_000, centroid: { recencyDays: 25, frequency: 2, monetary: 400 }, country: 'Germany' },
]);
const v2 = model(2, [
  { size: 100, revenueMilli: 250_000_000, centroid: { recencyDays: 4, frequency: 9, monetary: 2_500 }, country: 'United Kingdom' },
  { size: 350, revenueMilli: 100_000_000, centroid: { recencyDays: 85, frequency: 1, monetary: 280 }, country: 'France' },
]);

const envelope = (data: SegmentationModelData) => SegmentationModelTrainedV1.create(data, { correlationId: `model-${data.modelVersion}`, producer: 'profiling-int-spec' });
/** Names a model as if it had no predecessor: every segment starts its own identity. */
const nameModel = (event: ReturnType<typeof envelope>) => profileModel(event, []);

/** What the repository must give back for a model's clusters, built from the model and its names. */
function expectedSegments(data: SegmentationModelData): SegmentRecord[] {
  const names = nameModel(envelope(data));
  return data.clusters.map((c) => {
    const name = names.find((n) => n.cluster === c.cluster)!;
    return {
      modelVersion: data.modelVersion,
      cluster: c.cluster,
      key: `m${data.modelVersion}-${c.cluster}`,
      inheritedFrom: null,
      name: name.name,
      rfmSegment: name.rfmSegment,
      description: name.description,
      reasons: name.reasons,
      size: c.size,
      revenueMilli: c.revenueMilli,
      modelCustomers: data.population.customers,
      modelRevenueMilli: data.population.revenueMilli,
      centroid: c.centroid,
      medians: c.medians,
      topCountries: c.topCountries,
    };
  });
}
const bySizeThenCluster = (a: SegmentRecord, b: SegmentRecord): number => b.size - a.size || a.cluster - b.cluster;
const assigned = (customerId: string, modelVersion: number, cluster: number): CustomerSegmentAssignedData => ({
  customerId,
  modelVersion,
  cluster,
  previousCluster: null,
  distance: 0.5,
  reason: 'training',
});

describe('ProfilingRepository (real MariaDB)', () => {
  const logger = createLogger('profiling-repository-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: ProfilingRepository;

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('profiling', migrations, logger));
    repository = new ProfilingRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('stores a model\'s named segments; storing the same model version again changes nothing', async () => {
    await repository.saveSegments(v1, nameModel(envelope(v1)));
    const stored = await repository.latestSegments();
    expect(stored).toEqual(expectedSegments(v1).sort(bySizeThenCluster));
    // One name per cluster, never twice in a model.
    expect(new Set(stored.map((s) => s.name)).size).toBe(v1.k);

    // A replayed event, even one whose names came out differently, leaves the stored segments alone.
    const renamed = nameModel(envelope(v1)).map((n) => ({ ...n, name: `${n.name} (replayed)`, description: 'changed' }));
    await repository.saveSegments(v1, renamed);
    expect(await repository.latestSegments()).toEqual(stored);
    const [{ n }] = (await dataSource.query('SELECT COUNT(*) AS n FROM segments')) as [{ n: number | string }];
    expect(Number(n)).toBe(v1.k);
  });

  it('latestSegments returns the newest model\'s segments, even when an older model arrives late', async () => {
    await repository.saveSegments(v2, nameModel(envelope(v2)));
    expect(await repository.latestSegments()).toEqual(expectedSegments(v2).sort(bySizeThenCluster));
    await repository.saveSegments(v1, nameModel(envelope(v1)));
    expect((await repository.latestSegments()).map((s) => s.modelVersion)).toEqual([2, 2]);
    // The older model's segments are still there, for customers not yet moved to the new one.
    expect(await repository.segment(1, 2)).toEqual(expectedSegments(v1)[2]);
    expect(await repository.segment(3, 0)).toBeNull();
  });

  it('lets a segment of a new model continue the previous model\'s segment whose centroid barely moved', async () => {
    // v2's cluster 1 (85 days, 1 order, 280) is v1's cluster 1 (80, 1, 300) moved by about 0.09 on the
    // log scale; v2's cluster 0 (4, 9, 2,500) is 0.30 from v1's cluster 0 (5, 8, 2,000): a new segment.
    const previous = await repository.previousSegments(2);
    expect(previous.map((p) => p.key)).toEqual(['m1-0', 'm1-1', 'm1-2']);
    const profiled = profileModel(envelope({ ...v2, modelVersion: 5 }), previous);
    const continued = profiled.find((p) => p.cluster === 1);
    expect(continued).toMatchObject({ key: 'm1-1', inheritedFrom: 'm1-1', name: previous[1]?.name });
    expect(continued?.matchDistance).toBeCloseTo(Math.hypot(Math.log(86 / 81), Math.log(281 / 301)), 10);
    expect(profiled.find((p) => p.cluster === 0)).toMatchObject({ key: 'm5-0', inheritedFrom: null });
    await repository.saveSegments({ ...v2, modelVersion: 5 }, profiled);
    expect((await repository.segment(5, 1))?.key).toBe('m1-1');
  });

  it('refuses to store a model with a cluster that has no name', async () => {
    const names = nameModel(envelope(v2)).filter((n) => n.cluster !== 1);
    await expect(repository.saveSegments({ ...v2, modelVersion: 7 }, names)).rejects.toThrow('no name for cluster 1 of model 7');
    expect(await repository.segment(7, 0)).toBeNull();
  });

  it('saveAssignments ignores an assignment from an older model version than the stored one', async () => {
    await repository.saveAssignments([assigned('17850', 2, 1), assigned('13047', 1, 0)]);
    expect(await repository.customerSegment('17850')).toEqual(expectedSegments(v2)[1]);
    expect(await repository.customerSegment('13047')).toEqual(expectedSegments(v1)[0]);

    // A late event of model 1 does not move 17850 back; 13047 moves up to model 2.
    await repository.saveAssignments([assigned('17850', 1, 2), assigned('13047', 2, 0)]);
    expect(await repository.customerSegment('17850')).toEqual(expectedSegments(v2)[1]);
    expect(await repository.customerSegment('13047')).toEqual(expectedSegments(v2)[0]);

    // A placement under the same model version does move the customer.
    await repository.saveAssignments([{ ...assigned('17850', 2, 0), reason: 'placement', previousCluster: 1 }]);
    expect((await repository.customerSegment('17850'))?.cluster).toBe(0);

    // Within one batch, the newest model version of a customer wins, whatever the order.
    await repository.saveAssignments([assigned('12583', 2, 1), assigned('12583', 1, 0)]);
    expect(await repository.customerSegment('12583')).toMatchObject({ modelVersion: 2, cluster: 1 });
    const rows = (await dataSource.query('SELECT customer_id, model_version, cluster FROM customer_segments ORDER BY customer_id')) as unknown[];
    expect(rows).toEqual([
      { customer_id: '12583', model_version: 2, cluster: 1 },
      { customer_id: '13047', model_version: 2, cluster: 0 },
      { customer_id: '17850', model_version: 2, cluster: 0 },
    ]);
    expect(await repository.customerSegment('no-such-customer')).toBeNull();
  });

  it('seedCouponRules inserts the defaults once and keeps rules marketing edited', async () => {
    const bySegment = (a: CouponRule, b: CouponRule): number => (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0);
    await repository.seedCouponRules(DEFAULT_COUPON_RULES);
    expect(await repository.couponRules()).toEqual([...DEFAULT_COUPON_RULES].sort(bySegment));

    const loyal = DEFAULT_COUPON_RULES.find((r) => r.segment === 'Loyal')!;
    const edited: CouponRule = { ...loyal, discountPercent: 12, minimumBasket: 200, channel: 'sms' };
    await dataSource.query('UPDATE coupon_rules SET rule = ? WHERE segment = ?', [JSON.stringify(edited), 'Loyal']);
    await dataSource.query('DELETE FROM coupon_rules WHERE segment = ?', ['Lost']);

    // Seeding again (every service start does): the edit stays, the missing rule comes back.
    await repository.seedCouponRules(DEFAULT_COUPON_RULES);
    const rules = await repository.couponRules();
    expect(rules.find((r) => r.segment === 'Loyal')).toEqual(edited);
    expect(rules).toEqual(DEFAULT_COUPON_RULES.map((r) => (r.segment === 'Loyal' ? edited : r)).sort(bySegment));
  });
});
