// Erasing customers in the rfm service's database (real MariaDB, rfm migrations): their lines and
// metrics go, other customers keep exactly the metrics computed in memory from their own lines, and
// lines arriving after the erasure (in flight or replayed) do not bring the customer back.
import type { DataSource } from 'typeorm';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { RfmRepository } from './rfm.repository';
import { sampleLines } from '../../testing/sample-lines';
import { withoutRevision } from '../../testing/metrics';



const byId = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

describe('RfmRepository.eraseCustomers (real MariaDB)', () => {
  const logger = createLogger('rfm-erasure-int-spec', 'silent');
  const lines = sampleLines(25);
  const customers = aggregateCustomers(lines).customers.sort(byId);
  // Two customers with purchases; the first has the most lines (several invoices, maybe cancellations).
  const byLines = [...customers].sort((a, b) => lines.filter((l) => l.customerId === b.customerId).length - lines.filter((l) => l.customerId === a.customerId).length);
  const erased = [byLines[0]!.customerId, byLines[1]!.customerId];
  const kept = customers.filter((c) => !erased.includes(c.customerId));
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: RfmRepository;

  const rowsOf = async (table: 'transaction_lines' | 'customer_metrics', ids: readonly string[]): Promise<number> => {
    const rows: { n: number | string }[] = await dataSource.query(`SELECT COUNT(*) AS n FROM ${table} WHERE customer_id IN (?, ?)`, [...ids]);
    return Number(rows[0]?.n);
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('rfm', migrations, logger));
    repository = new RfmRepository(dataSource);
    await repository.recordLines(lines);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('deletes the customers\' lines and metrics in one go and leaves every other customer as it was', async () => {
    expect(kept.length).toBeGreaterThan(10);
    expect(await rowsOf('customer_metrics', erased)).toBe(2);
    const deleted = await repository.eraseCustomers(erased);
    // Exact duplicate source lines share an identity and are stored once.
    const distinctLines = new Set(lines.filter((l) => erased.includes(l.customerId)).map((l) => l.lineId)).size;
    expect(deleted).toEqual({ lines: distinctLines, metrics: 2 });
    expect(await rowsOf('transaction_lines', erased)).toBe(0);
    expect(await rowsOf('customer_metrics', erased)).toBe(0);
    expect((await repository.allMetrics()).sort(byId)).toEqual(kept);
  });

  it('is harmless to repeat (a replayed event)', async () => {
    expect(await repository.eraseCustomers(erased)).toEqual({ lines: 0, metrics: 0 });
    expect(await repository.eraseCustomers([])).toEqual({ lines: 0, metrics: 0 });
    expect((await repository.allMetrics()).sort(byId)).toEqual(kept);
  });

  it('drops lines of an erased customer that arrive later: nothing is stored or returned to publish for them', async () => {
    const late = lines.filter((l) => erased.includes(l.customerId));
    const other = lines.filter((l) => l.customerId === kept[0]!.customerId);
    const { metrics: changed } = await repository.recordLines([...late, ...other]);
    expect(changed.map(withoutRevision)).toEqual([kept[0]]);
    expect((await repository.recordLines(late)).metrics).toEqual([]);
    expect(await rowsOf('transaction_lines', erased)).toBe(0);
    expect(await rowsOf('customer_metrics', erased)).toBe(0);
    expect((await repository.allMetrics()).sort(byId)).toEqual(kept);
  });

  it('waits for an erasure being committed instead of missing it (no lost erasure between two replicas)', async () => {
    const customer = kept[1]!.customerId;
    const own = lines.filter((l) => l.customerId === customer);
    // Another replica's erasure, begun but not yet committed.
    const other = dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      await other.query('INSERT INTO erased_customers (customer_digest) VALUES (UNHEX(SHA2(?, 256)))', [customer]);
      let settled = false;
      const recording = repository.recordLines(own).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      await other.query('DELETE FROM customer_metrics WHERE customer_id = ?', [customer]);
      await other.commitTransaction();
      expect((await recording).metrics).toEqual([]);
    } finally {
      await other.release();
    }
    expect(await rowsOf('customer_metrics', [customer, customer])).toBe(0);
  });

  it('keeps a digest of each erased id, never the id', async () => {
    const rows: { digest: string }[] = await dataSource.query('SELECT LOWER(HEX(customer_digest)) AS digest FROM erased_customers ORDER BY digest');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
  });
});
