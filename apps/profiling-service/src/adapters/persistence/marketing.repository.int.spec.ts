// MarketingRepository on the real MariaDB (profiling migrations): segment overrides under stable
// keys, the default coupon strategy, campaigns, and the latest model's customers by segment.
import type { DataSource } from 'typeorm';
import { SegmentationModelTrainedV1, type SegmentationModelData } from '@seg/contracts-events';
import { couponForSegment, decideRename, DEFAULT_COUPON_RULES, type CouponCampaign, type CouponTerms } from '@seg/domain-profiling';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { profileModel } from '../../application/profile-models';
import { ProfilingRepository } from './profiling.repository';
import { MarketingRepository } from './marketing.repository';

type Triple = { recencyDays: number; frequency: number; monetary: number };

/** A model whose population is exactly the sum of its clusters. */
function model(version: number, clusters: { size: number; revenueMilli: number; centroid: Triple }[]): SegmentationModelData {
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
    clusters: clusters.map((c, cluster) => ({ cluster, size: c.size, revenueMilli: c.revenueMilli, centroid: c.centroid, medians: c.centroid, topCountries: [] })),
  };
}

// v2's cluster 1 (85 days, 1 order, 280) barely moved from v1's cluster 1 (80, 1, 300): it continues
// segment m1-1; v2's cluster 0 moved too far from v1's cluster 0 and starts m2-0.
const v1 = model(1, [
  { size: 120, revenueMilli: 240_000_000, centroid: { recencyDays: 5, frequency: 8, monetary: 2_000 } },
  { size: 300, revenueMilli: 90_000_000, centroid: { recencyDays: 80, frequency: 1, monetary: 300 } },
  { size: 200, revenueMilli: 80_000_000, centroid: { recencyDays: 25, frequency: 2, monetary: 400 } },
]);
const v2 = model(2, [
  { size: 100, revenueMilli: 250_000_000, centroid: { recencyDays: 4, frequency: 9, monetary: 2_500 } },
  { size: 350, revenueMilli: 100_000_000, centroid: { recencyDays: 85, frequency: 1, monetary: 280 } },
]);
const envelope = (data: SegmentationModelData) => SegmentationModelTrainedV1.create(data, { correlationId: `model-${data.modelVersion}`, producer: 'marketing-int-spec' });

const { segment: _segment, ...winBack } = couponForSegment(DEFAULT_COUPON_RULES, 'At Risk');
const personalWinBack: CouponTerms = { ...winBack, offer: 'call and offer 30% off', discountPercent: 30, channel: 'personal' };

describe('MarketingRepository (real MariaDB)', () => {
  const logger = createLogger('marketing-repository-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let profiling: ProfilingRepository;
  let marketing: MarketingRepository;

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('profiling', migrations, logger));
    profiling = new ProfilingRepository(dataSource);
    marketing = new MarketingRepository(dataSource);
    await profiling.saveSegments(v1, profileModel(envelope(v1), []));
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('keeps a rename and a coupon override under the segment key, across a retrain that keeps the segment', async () => {
    const renamed = await marketing.changeOverride('m1-1', 'marketer', ({ target, segments }) => {
      expect(target).toMatchObject({ key: 'm1-1', modelVersion: 1, cluster: 1 });
      expect(segments.map((s) => s.key)).toEqual(['m1-0', 'm1-1', 'm1-2']);
      return { ok: true, value: { name: 'Win-back targets', coupon: null } };
    });
    expect(renamed).toEqual({ ok: true, value: { modelVersion: 1, cluster: 1 } });
    expect((await marketing.overrides()).get('m1-1')).toEqual({ key: 'm1-1', name: 'Win-back targets', coupon: null, updatedBy: 'marketer', updatedAt: expect.stringMatching(/Z$/) });

    // A retrain continues m1-1 as cluster 1 of model 2: the override still applies to it there.
    await profiling.saveSegments(v2, profileModel(envelope(v2), await profiling.previousSegments(2)));
    expect(await marketing.locateSegment('m1-1')).toEqual({ modelVersion: 2, cluster: 1 });
    const withCoupon = await marketing.changeOverride('m1-1', 'admin', ({ target, segments, overrides }) => {
      expect(target).toMatchObject({ modelVersion: 2, cluster: 1 });
      expect(segments.map((s) => s.key)).toEqual(['m2-0', 'm1-1']);
      return { ok: true, value: { name: overrides.get('m1-1')?.name ?? null, coupon: personalWinBack } };
    });
    expect(withCoupon).toEqual({ ok: true, value: { modelVersion: 2, cluster: 1 } });
    expect((await marketing.overrides()).get('m1-1')).toMatchObject({ name: 'Win-back targets', coupon: personalWinBack, updatedBy: 'admin' });

    // With neither a name nor a coupon left, the override row goes.
    await marketing.changeOverride('m1-1', 'marketer', () => ({ ok: true, value: { name: null, coupon: null } }));
    expect(await marketing.overrides()).toEqual(new Map());
    const [{ n }] = (await dataSource.query('SELECT COUNT(*) AS n FROM segment_overrides')) as [{ n: number | string }];
    expect(Number(n)).toBe(0);
  });

  it('answers null for a key no model holds, and writes nothing for a refused change', async () => {
    expect(await marketing.locateSegment('m9-9')).toBeNull();
    expect(await marketing.changeOverride('m9-9', 'marketer', () => ({ ok: true, value: { name: 'x', coupon: null } }))).toBeNull();
    const refused = await marketing.changeOverride('m2-0', 'marketer', () => ({ ok: false, error: 'NO' }));
    expect(refused).toEqual({ ok: false, error: 'NO' });
    expect(await marketing.overrides()).toEqual(new Map());
  });

  it('serialises renames within a model: of two concurrent renames to one free name, one gets NAME_TAKEN', async () => {
    const rename = (key: string) =>
      marketing.changeOverride(key, 'marketer', ({ target, segments, overrides }) => {
        const names = new Map([...overrides.values()].flatMap((o) => (o.name === null ? [] : [[o.key, o.name] as const])));
        const decided = decideRename(segments, names, target.key, 'Big spenders');
        return decided.ok ? { ok: true, value: { name: decided.value, coupon: null } } : decided;
      });
    const outcomes = await Promise.all([rename('m2-0'), rename('m1-1')]);
    expect(outcomes.filter((o) => o?.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => o && !o.ok).map((o) => o && !o.ok && o.error.code)).toEqual(['NAME_TAKEN']);
    expect([...(await marketing.overrides()).values()].map((o) => o.name)).toEqual(['Big spenders']);
    await dataSource.query('DELETE FROM segment_overrides');
  });

  it('setCouponRule replaces the default rule of a named segment, and seeding at start keeps it', async () => {
    await profiling.seedCouponRules(DEFAULT_COUPON_RULES);
    const lost = { ...couponForSegment(DEFAULT_COUPON_RULES, 'Lost'), discountPercent: 5, validityDays: 3 };
    await marketing.setCouponRule(lost);
    await profiling.seedCouponRules(DEFAULT_COUPON_RULES);
    const rules = await profiling.couponRules();
    expect(rules).toHaveLength(DEFAULT_COUPON_RULES.length);
    expect(couponForSegment(rules, 'Lost')).toEqual(lost);
    expect(couponForSegment(rules, 'Loyal')).toEqual(couponForSegment(DEFAULT_COUPON_RULES, 'Loyal'));
  });

  it('stores campaigns and gives them back whole, the last created first (even within one second)', async () => {
    const spring: CouponCampaign = {
      id: '5b0c1f9e-0d7e-4a4e-9a57-3f0a4c6f1a01',
      name: 'Spring win-back',
      segmentIds: ['m1-1'],
      holdoutShare: 0.2,
      startsAt: '2011-03-01T00:00:00Z',
      endsAt: '2011-03-31T18:30:00Z',
      createdAt: '2011-02-20T09:15:42Z',
      createdBy: 'marketer',
    };
    const always: CouponCampaign = { ...spring, id: '5b0c1f9e-0d7e-4a4e-9a57-3f0a4c6f1a02', name: 'Always on', segmentIds: [], holdoutShare: 0.05, endsAt: null, createdBy: 'admin' };
    await marketing.createCampaign(spring);
    await marketing.createCampaign(always);
    expect(await marketing.campaigns()).toEqual([always, spring]);
  });

  it('lists the latest model\'s segment keys and its customers by segment, leaving out customers still on an older model', async () => {
    expect(await marketing.latestSegmentKeys()).toEqual(new Set(['m2-0', 'm1-1']));
    const assigned = (customerId: string, modelVersion: number, cluster: number) => ({ customerId, modelVersion, cluster, previousCluster: null, distance: 0.5, reason: 'training' as const });
    await profiling.saveAssignments([assigned('17850', 2, 1), assigned('13047', 2, 0), assigned('12583', 2, 1), assigned('14688', 1, 2)]);
    const bySegment = await marketing.latestCustomersBySegment();
    expect(new Map([...bySegment].map(([key, ids]) => [key, [...ids].sort()]))).toEqual(
      new Map([
        ['m1-1', ['12583', '17850']],
        ['m2-0', ['13047']],
      ]),
    );
  });
});
