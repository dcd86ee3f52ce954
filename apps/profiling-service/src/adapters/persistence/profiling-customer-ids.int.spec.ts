// Customer ids compare exactly in the profiling service's database (real MariaDB, profiling
// migrations), as in the maps and sets the service keys by customer id: customers whose ids differ
// only by case ('abc' / 'ABC') or by an accent ('Ä1' / 'A1') keep a directory row and a segment
// each, and erasing one leaves the other.
import type { DataSource } from 'typeorm';
import {
  CustomerMetricsChangedV1,
  SegmentationModelTrainedV1,
  type CustomerMetricsChanged,
  type CustomerMetricsData,
  type CustomerSegmentAssignedData,
  type SegmentationModelData,
} from '@seg/contracts-events';
import type { CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { profileModel } from '../../application/profile-models';
import { CustomerDirectoryRepository } from './customer-directory.repository';
import { MarketingRepository } from './marketing.repository';
import { ProfilingRepository } from './profiling.repository';

const [LOWER, UPPER, ACCENTED, PLAIN] = ['abc', 'ABC', 'Ä1', 'A1'] as const;
const IDS = [LOWER, UPPER, ACCENTED, PLAIN];

/** Look-alike customers with aggregates of their own. */
const metrics: CustomerMetrics[] = [
  { customerId: LOWER, country: 'United Kingdom', firstPurchaseAt: '2010-12-01T08:26:00Z', lastPurchaseAt: '2011-02-27T16:00:00Z', frequency: 40, monetaryMilli: 25_000_000, cancelledMilli: 0 },
  { customerId: UPPER, country: 'Germany', firstPurchaseAt: '2010-12-02T09:00:00Z', lastPurchaseAt: '2010-12-02T09:00:00Z', frequency: 1, monetaryMilli: 15_300, cancelledMilli: 2_550 },
  { customerId: ACCENTED, country: 'Spain', firstPurchaseAt: '2010-12-10T10:00:00Z', lastPurchaseAt: '2011-02-20T10:00:00Z', frequency: 6, monetaryMilli: 1_200_000, cancelledMilli: 0 },
  { customerId: PLAIN, country: 'Portugal', firstPurchaseAt: '2011-01-04T13:15:00Z', lastPurchaseAt: '2011-01-04T13:15:00Z', frequency: 1, monetaryMilli: 8_500, cancelledMilli: 0 },
];

const changed = (m: CustomerMetrics, revision: number): CustomerMetricsChanged =>
  CustomerMetricsChangedV1.create({ ...m, revision, asOf: '2011-03-01T17:00:00Z' } satisfies CustomerMetricsData, {
    correlationId: 'profiling-customer-ids-int-spec',
    producer: 'rfm-service',
    occurredAt: '2011-03-01T10:00:00.000Z',
  });

/** A model of four clusters, one per look-alike customer. */
const model: SegmentationModelData = {
  modelVersion: 1,
  trainedAt: '2011-03-01T10:00:00.000Z',
  asOf: '2011-03-01T17:00:00Z',
  k: 4,
  features: ['recency_days', 'frequency', 'monetary'],
  inertia: 12,
  population: {
    customers: 4,
    revenueMilli: 26_223_800,
    medians: { recencyDays: 30, frequency: 3, monetary: 600 },
    cutPoints: { recency: [7, 20, 40, 70], frequency: [1, 1, 2, 4], monetary: [150, 300, 550, 1100] },
  },
  clusters: metrics.map((m, cluster) => {
    const centroid = { recencyDays: 5 + 25 * cluster, frequency: m.frequency, monetary: m.monetaryMilli / 1_000 };
    return { cluster, size: 1, revenueMilli: m.monetaryMilli, centroid, medians: centroid, topCountries: [{ country: m.country, customers: 1 }] };
  }),
};

const assigned = (customerId: string, cluster: number): CustomerSegmentAssignedData => ({ customerId, modelVersion: 1, cluster, previousCluster: null, distance: 0.5, reason: 'training' });

const byId = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

describe('profiling repositories with customer ids that differ only by case or accents (real MariaDB)', () => {
  const logger = createLogger('profiling-customer-ids-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let directory: CustomerDirectoryRepository;
  let profiling: ProfilingRepository;
  let marketing: MarketingRepository;

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('profiling', migrations, logger));
    directory = new CustomerDirectoryRepository(dataSource);
    profiling = new ProfilingRepository(dataSource);
    marketing = new MarketingRepository(dataSource);
    await profiling.saveSegments(model, profileModel(SegmentationModelTrainedV1.create(model, { correlationId: 'model-1', producer: 'clustering-service' }), []));
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('keeps a directory row per customer with its own aggregates', async () => {
    // One of each pair first, the other in a later batch: its upsert meets the stored row, if any.
    await directory.saveMetrics([metrics[0]!, metrics[2]!].map((m) => changed(m, 1)));
    await directory.saveMetrics([metrics[1]!, metrics[3]!].map((m) => changed(m, 1)));
    expect((await directory.allMetrics()).sort(byId)).toEqual([...metrics].sort(byId));
  });

  it('keeps a segment per customer', async () => {
    await profiling.saveAssignments([assigned(LOWER, 0), assigned(ACCENTED, 2)]);
    await profiling.saveAssignments([assigned(UPPER, 1), assigned(PLAIN, 3)]);
    for (const [cluster, id] of IDS.entries()) {
      expect((await profiling.customerSegment(id))?.cluster).toBe(cluster);
      expect(await directory.segmentMembers(1, cluster)).toEqual([id]);
    }
    expect(await marketing.latestCustomersBySegment()).toEqual(new Map(IDS.map((id, cluster) => [`m1-${cluster}`, [id]])));
  });

  it('erasing one customer leaves the look-alike one', async () => {
    const erased = [LOWER, ACCENTED];
    expect(await profiling.eraseCustomers(erased)).toEqual({ segments: 2 });
    expect(await directory.eraseCustomers(erased)).toBe(2);
    expect((await directory.allMetrics()).map((m) => m.customerId).sort()).toEqual([PLAIN, UPPER]);
    expect(await profiling.customerSegment(LOWER)).toBeNull();
    expect((await profiling.customerSegment(UPPER))?.cluster).toBe(1);
    // Later events of the erased customers are dropped; their look-alikes' are applied.
    await directory.saveMetrics(metrics.map((m) => changed({ ...m, frequency: m.frequency + 1 }, 2)));
    await profiling.saveAssignments(IDS.map((id) => assigned(id, 0)));
    expect((await directory.allMetrics()).map((m) => [m.customerId, m.frequency]).sort()).toEqual([
      [PLAIN, 2],
      [UPPER, 2],
    ]);
    expect((await directory.segmentMembers(1, 0)).sort()).toEqual([PLAIN, UPPER]);
  });
});
