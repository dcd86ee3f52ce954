// Customer ids compare exactly in the rfm service's database (real MariaDB, rfm migrations), as in
// aggregateCustomers: customers whose ids differ only by case ('abc' / 'ABC') or by an accent
// ('Ä1' / 'A1') keep their own lines, invoices and aggregates, and erasing one leaves the other.
import type { DataSource } from 'typeorm';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { RfmRepository } from './rfm.repository';
import { LOOK_ALIKE_IDS, lookAlikeLines } from '../../testing/look-alike-lines';
import { withoutRevision } from '../../testing/metrics';

const byId = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
const sorted = (metrics: readonly CustomerMetrics[]): CustomerMetrics[] => metrics.map(withoutRevision).sort(byId);

describe('RfmRepository with customer ids that differ only by case or accents (real MariaDB)', () => {
  const logger = createLogger('rfm-customer-ids-int-spec', 'silent');
  const { first, second } = lookAlikeLines();
  const lines = [...first, ...second];
  const { lower, upper, accented, plain } = LOOK_ALIKE_IDS;
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: RfmRepository;

  const reset = async (): Promise<void> => {
    await dataSource.query('DELETE FROM customer_metrics');
    await dataSource.query('DELETE FROM customer_purchase_invoices');
    await dataSource.query('DELETE FROM transaction_lines');
  };
  const perCustomer = async (table: 'transaction_lines' | 'customer_purchase_invoices'): Promise<Record<string, number>> =>
    Object.fromEntries(
      ((await dataSource.query(`SELECT customer_id, COUNT(*) AS n FROM ${table} GROUP BY customer_id`)) as { customer_id: string; n: number | string }[]).map((r) => [r.customer_id, Number(r.n)]),
    );

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('rfm', migrations, logger));
    repository = new RfmRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('the in-memory aggregation sees four customers with different aggregates', () => {
    const customers = aggregateCustomers(lines).customers;
    expect(customers.map((c) => c.customerId).sort()).toEqual([lower, upper, accented, plain].sort());
    expect(new Set(customers.map((c) => `${c.frequency}/${c.monetaryMilli}/${c.cancelledMilli}/${c.country}`)).size).toBe(4);
  });

  it('keeps one row of aggregates per customer, equal to aggregateCustomers, whether the look-alikes come in one batch or two', async () => {
    for (const batches of [[lines], [first, second], [second, first]]) {
      await reset();
      const returned = [];
      for (const batch of batches) returned.push(...(await repository.recordLines(batch)).metrics);
      expect(sorted(await repository.allMetrics())).toEqual(aggregateCustomers(lines).customers);
      // Each batch gives back its own customers, under their own ids.
      expect(sorted(returned)).toEqual(aggregateCustomers(lines).customers);
      expect(await perCustomer('transaction_lines')).toEqual({ [lower]: 3, [upper]: 2, [accented]: 1, [plain]: 2 });
      expect(await perCustomer('customer_purchase_invoices')).toEqual({ [lower]: 2, [upper]: 2, [accented]: 1, [plain]: 1 });
    }
  });

  it('erasing one customer leaves the look-alike one', async () => {
    await reset();
    await repository.recordLines(lines);
    expect(await repository.eraseCustomers([lower, accented])).toEqual({ lines: 4, metrics: 2 });
    expect(sorted(await repository.allMetrics())).toEqual(aggregateCustomers(second).customers);
    expect(await perCustomer('transaction_lines')).toEqual({ [upper]: 2, [plain]: 2 });
    // The erased customers' later lines are dropped; their look-alikes' are not.
    expect((await repository.recordLines(first)).metrics).toEqual([]);
    expect(sorted((await repository.recordLines(second)).metrics)).toEqual(aggregateCustomers(second).customers);
  });
});
