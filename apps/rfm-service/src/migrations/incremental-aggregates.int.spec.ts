// The incremental-aggregates migration on a database written before it (real MariaDB): lines
// re-keyed by customer, purchase invoices filled from the stored lines, frequency and country
// counted again, and later batches carry on from there to the aggregates computed in memory.
import { aggregateCustomers } from '@seg/domain-rfm';
import { classifyLine, lineAmountMilli } from '@seg/domain-transactions';
import { createLogger } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, repeatRow, toSqlDateTime } from '@seg/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@seg/testing';
import { RfmRepository } from '../adapters/persistence/rfm.repository';
import { migrations } from './index';
import { sampleLines } from '../testing/sample-lines';



describe('migration IncrementalAggregates1764800000000 (real MariaDB)', () => {
  const logger = createLogger('rfm-migration-int-spec', 'silent');
  const lines = sampleLines(13);
  const before = lines.filter((_, i) => i % 2 === 0);
  const after = lines.filter((_, i) => i % 2 === 1);
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('rfm');
  }, 30_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('fills the invoices, recounts frequency and country, and later batches add up to the in-memory aggregates', async () => {
    // The schema before the migration, with lines and aggregates as the previous write path left
    // them, except for a stale frequency and country that the migration must count again.
    const old = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations: migrations.slice(0, 2) }), logger);
    try {
      await old.query(
        `INSERT IGNORE INTO transaction_lines (line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country) VALUES ${repeatRow(before.length, '(UNHEX(?),?,?,?,?,?,?)')}`,
        before.flatMap((l) => [l.lineId, l.customerId, l.invoiceNo, classifyLine(l), toSqlDateTime(l.invoiceDate), lineAmountMilli(l), l.country]),
      );
      const customers = aggregateCustomers(before).customers;
      await old.query(
        `INSERT INTO customer_metrics (customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli) VALUES ${repeatRow(customers.length, '(?,?,?,?,?,?,?)')}`,
        customers.flatMap((c) => [c.customerId, 'stale', toSqlDateTime(c.firstPurchaseAt), toSqlDateTime(c.lastPurchaseAt), 0, c.monetaryMilli, c.cancelledMilli]),
      );
    } finally {
      await old.destroy();
    }

    const db = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations }), logger);
    try {
      const repository = new RfmRepository(db);
      expect((await repository.allMetrics()).sort((a, b) => (a.customerId < b.customerId ? -1 : 1))).toEqual(aggregateCustomers(before).customers);
      const invoices: { n: string | number }[] = await db.query('SELECT COUNT(*) AS n FROM customer_purchase_invoices');
      expect(Number(invoices[0]?.n)).toBe(new Set(before.filter((l) => classifyLine(l) === 'purchase').map((l) => `${l.customerId}/${l.invoiceNo}`)).size);
      const keys: { Column_name: string }[] = await db.query("SHOW KEYS FROM transaction_lines WHERE Key_name = 'PRIMARY'");
      expect(keys.map((k) => k.Column_name)).toEqual(['customer_id', 'kind', 'line_id']);

      await repository.recordLines(after);
      await repository.recordLines(before);
      expect((await repository.allMetrics()).sort((a, b) => (a.customerId < b.customerId ? -1 : 1))).toEqual(aggregateCustomers(lines).customers);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
