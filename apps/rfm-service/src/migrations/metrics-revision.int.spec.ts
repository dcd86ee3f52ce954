// The metrics-revision migration on a database written before it (real MariaDB): existing rows
// start at revision 1 (each was written by a change) without being rewritten, new rows at 0 until
// the batch that creates them raises them to 1, and later batches carry on from there.
import { aggregateCustomers } from '@seg/domain-rfm';
import { classifyLine, lineAmountMilli } from '@seg/domain-transactions';
import { createLogger } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, repeatRow, toSqlDateTime } from '@seg/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@seg/testing';
import { RfmRepository } from '../adapters/persistence/rfm.repository';
import { migrations } from './index';
import { sampleLines } from '../testing/sample-lines';

describe('migration MetricsRevision1765100000000 (real MariaDB)', () => {
  const logger = createLogger('rfm-revision-migration-int-spec', 'silent');
  const lines = sampleLines(17);
  const before = lines.filter((l) => Number(l.customerId) % 2 === 0 || l.invoiceDate < '2011-01-01');
  const after = lines.filter((l) => !before.includes(l));
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('rfm');
  }, 30_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('gives existing rows revision 1, new rows 0 by default, and batches raise them from there', async () => {
    const previous = migrations.findIndex((m) => m.name === 'MetricsRevision1765100000000');
    expect(previous).toBeGreaterThan(0);
    // The schema before the migration, with lines, invoices and aggregates as the write path left them.
    const old = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations: migrations.slice(0, previous) }), logger);
    const customers = aggregateCustomers(before).customers;
    try {
      await old.query(
        `INSERT IGNORE INTO transaction_lines (line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country) VALUES ${repeatRow(before.length, '(UNHEX(?),?,?,?,?,?,?)')}`,
        before.flatMap((l) => [l.lineId, l.customerId, l.invoiceNo, classifyLine(l), toSqlDateTime(l.invoiceDate), lineAmountMilli(l), l.country]),
      );
      const invoices = [...new Set(before.filter((l) => classifyLine(l) === 'purchase').map((l) => `${l.customerId}\u0000${l.invoiceNo}`))].map((k) => k.split('\u0000'));
      await old.query(`INSERT INTO customer_purchase_invoices (customer_id, invoice_no) VALUES ${repeatRow(invoices.length, '(?,?)')}`, invoices.flat());
      await old.query(
        `INSERT INTO customer_metrics (customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli) VALUES ${repeatRow(customers.length, '(?,?,?,?,?,?,?)')}`,
        customers.flatMap((c) => [c.customerId, c.country, toSqlDateTime(c.firstPurchaseAt), toSqlDateTime(c.lastPurchaseAt), c.frequency, c.monetaryMilli, c.cancelledMilli]),
      );
    } finally {
      await old.destroy();
    }

    const db = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations }), logger);
    try {
      const revisions = async (): Promise<Map<string, number>> =>
        new Map(((await db.query('SELECT customer_id, revision FROM customer_metrics')) as { customer_id: string; revision: string | number }[]).map((r) => [r.customer_id, Number(r.revision)]));
      const existing = await revisions();
      expect(existing.size).toBe(customers.length);
      expect(new Set(existing.values())).toEqual(new Set([1]));
      const [column] = (await db.query("SELECT COLUMN_DEFAULT AS d, IS_NULLABLE AS n, COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'customer_metrics' AND COLUMN_NAME = 'revision'")) as { d: string; n: string; t: string }[];
      expect(column).toEqual({ d: '0', n: 'NO', t: 'bigint(20) unsigned' });

      const { metrics: returned } = await new RfmRepository(db).recordLines(after);
      // The customers the later lines change: a purchase, or cancellations that do not sum to zero.
      const cancelled = new Map<string, number>();
      for (const l of after) if (classifyLine(l) === 'cancellation') cancelled.set(l.customerId, (cancelled.get(l.customerId) ?? 0) + lineAmountMilli(l));
      const changed = new Set([...after.filter((l) => classifyLine(l) === 'purchase').map((l) => l.customerId), ...[...cancelled].filter(([, sum]) => sum !== 0).map(([c]) => c)]);
      // A changed existing customer goes to 2, a new one to 1; every other customer stays at 1.
      const expected = new Map([...existing.keys(), ...returned.map((m) => m.customerId)].map((c) => [c, existing.has(c) && changed.has(c) ? 2 : 1]));
      expect([...expected.values()].filter((n) => n === 2).length).toBeGreaterThan(5);
      expect(returned.filter((m) => !existing.has(m.customerId)).length).toBeGreaterThan(5);
      expect(await revisions()).toEqual(expected);
      expect(new Map(returned.map((m) => [m.customerId, m.revision]))).toEqual(new Map(returned.map((m) => [m.customerId, expected.get(m.customerId)])));
      expect((await new RfmRepository(db).allMetrics()).sort((a, b) => (a.customerId < b.customerId ? -1 : 1))).toEqual(aggregateCustomers(lines).customers);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
