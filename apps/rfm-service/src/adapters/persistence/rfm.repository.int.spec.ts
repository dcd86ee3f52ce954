// The rfm service's set-based SQL against the real MariaDB, checked customer by customer against
// aggregateCustomers (@seg/domain-rfm), an independent in-memory implementation of the same
// cleaning and metric rules (itself checked against pandas in libs/domain/rfm).
import type { DataSource } from 'typeorm';
import type { TransactionLineData } from '@seg/contracts-events';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { RfmRepository } from './rfm.repository';
import { sampleLines } from '../../testing/sample-lines';
import { withoutRevision } from '../../testing/metrics';



const byId = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
const sorted = (metrics: readonly CustomerMetrics[]): CustomerMetrics[] => metrics.map(withoutRevision).sort(byId);

describe('RfmRepository (real MariaDB)', () => {
  const logger = createLogger('rfm-repository-int-spec', 'silent');
  const lines = sampleLines(10);
  const expected = aggregateCustomers(lines);
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: RfmRepository;

  const reset = async (): Promise<void> => {
    await dataSource.query('DELETE FROM customer_metrics');
    await dataSource.query('DELETE FROM customer_purchase_invoices');
    await dataSource.query('DELETE FROM transaction_lines');
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('rfm', migrations, logger));
    repository = new RfmRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('the slice exercises what the SQL must get right', () => {
    expect(lines.length).toBeGreaterThan(2_000);
    expect(expected.quality.duplicates).toBeGreaterThan(0);
    expect(expected.quality.cancellations).toBeGreaterThan(0);
    expect(expected.quality.otherLines).toBeGreaterThan(0);
    expect(expected.customers.filter((c) => c.frequency > 1).length).toBeGreaterThan(10);
    expect(expected.customers.filter((c) => c.cancelledMilli > 0).length).toBeGreaterThan(5);
  });

  it('computes every customer\'s metrics as the in-memory aggregation does', async () => {
    await reset();
    const { metrics: returned } = await repository.recordLines(lines);
    expect(sorted(returned)).toEqual(expected.customers);
    expect(sorted(await repository.allMetrics())).toEqual(expected.customers);
    // One row per distinct line: exact repeats collapse on the line id.
    const [{ n }] = (await dataSource.query('SELECT COUNT(*) AS n FROM transaction_lines')) as [{ n: string | number }];
    expect(Number(n)).toBe(new Set(lines.map((l) => l.lineId)).size);
    const latest = expected.customers.map((c) => c.lastPurchaseAt).sort().at(-1);
    expect(await repository.latestPurchase()).toBe(latest);
  }, 20_000);

  it('importing the same lines again leaves the metrics unchanged, and says no line was new', async () => {
    await reset();
    const { newLines } = await repository.recordLines(lines);
    expect(newLines).toBe(new Set(lines.map((l) => l.lineId)).size);
    const before = sorted(await repository.allMetrics());
    const { metrics: replayed, newLines: newOnReplay } = await repository.recordLines(lines);
    expect(newOnReplay).toBe(0);
    expect(sorted(replayed)).toEqual(before);
    expect(sorted(await repository.allMetrics())).toEqual(before);
    expect(before).toEqual(expected.customers);
  }, 20_000);

  describe('importing in three parts, in any order, gives the metrics of one go', () => {
    // Interleaved parts, so that most customers have lines in every part (a purchase in one, its
    // cancellation or repeat in another).
    const parts = [0, 1, 2].map((p) => lines.filter((_, i) => i % 3 === p));
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];

    it.each(orders)('order %i, %i, %i', async (...order: number[]) => {
      await reset();
      const seen: TransactionLineData[] = [];
      for (const index of order) {
        const part = parts[index]!;
        const { metrics: returned } = await repository.recordLines(part);
        seen.push(...part);
        // Each batch returns exactly the customers it touched (with a purchase so far), with their
        // metrics over everything stored until then.
        const touched = new Set(part.map((l) => l.customerId));
        expect(sorted(returned)).toEqual(aggregateCustomers(seen).customers.filter((c) => touched.has(c.customerId)));
      }
      expect(sorted(await repository.allMetrics())).toEqual(expected.customers);
    }, 20_000);
  });
});
