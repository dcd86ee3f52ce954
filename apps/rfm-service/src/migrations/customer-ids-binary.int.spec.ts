// The customer-ids-binary migration on a database written before it (real MariaDB): every row,
// key and column definition stays, only the customer id columns compare exactly from then on, so
// later lines of look-alike customers ('ABC' after 'abc', 'A1' after 'Ä1') make customers of their
// own. Reverting refuses while look-alikes are stored, and otherwise restores the schema as it was.
import type { DataSource } from 'typeorm';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { createLogger } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource } from '@seg/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@seg/testing';
import { RfmRepository } from '../adapters/persistence/rfm.repository';
import { migrations } from './index';
import { sampleLines } from '../testing/sample-lines';
import { LOOK_ALIKE_IDS, lookAlikeLines } from '../testing/look-alike-lines';

const TABLES = ['transaction_lines', 'customer_purchase_invoices', 'customer_metrics'] as const;

const byId = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);

/** Every row of the tables, in a fixed order (line ids in hex; times and revisions as stored). */
async function rows(db: DataSource): Promise<Record<string, unknown[]>> {
  return {
    transaction_lines: await db.query(
      'SELECT HEX(line_id) AS line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country FROM transaction_lines ORDER BY line_id',
    ),
    customer_purchase_invoices: await db.query('SELECT customer_id, invoice_no FROM customer_purchase_invoices ORDER BY HEX(customer_id), HEX(invoice_no)'),
    customer_metrics: await db.query('SELECT * FROM customer_metrics ORDER BY HEX(customer_id)'),
  };
}

/** The tables' keys and column definitions. */
async function schema(db: DataSource): Promise<{ keys: unknown[]; columns: Record<string, unknown>[] }> {
  return {
    keys: await db.query(
      `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?) ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      [TABLES],
    ),
    columns: await db.query(
      `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, CHARACTER_SET_NAME, COLLATION_NAME
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?) ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [TABLES],
    ),
  };
}

const createTable = async (db: DataSource, table: string): Promise<string> => ((await db.query(`SHOW CREATE TABLE ${table}`)) as { 'Create Table': string }[])[0]!['Create Table'];

describe('migration CustomerIdsBinary1765200000000 (real MariaDB)', () => {
  const logger = createLogger('rfm-customer-ids-migration-int-spec', 'silent');
  const sample = sampleLines(11);
  const sampleBefore = sample.filter((_, i) => i % 2 === 0);
  const sampleAfter = sample.filter((_, i) => i % 2 === 1);
  const lookAlikes = lookAlikeLines();
  // Before: 'abc' and 'Ä1' among numeric ids; after: their look-alikes 'ABC' and 'A1'.
  const before = [...sampleBefore, ...lookAlikes.first];
  const after = [...sampleAfter, ...lookAlikes.second];
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('rfm');
  }, 30_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('keeps every row, key and column definition; the customer ids compare exactly from then on; down restores the schema', async () => {
    const index = migrations.findIndex((m) => m.name === 'CustomerIdsBinary1765200000000');
    expect(index).toBeGreaterThan(0);
    // The schema before the migration, written by the repository as it was then.
    const old = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations: migrations.slice(0, index) }), logger);
    let stored: Record<string, unknown[]>;
    let oldSchema: Awaited<ReturnType<typeof schema>>;
    const oldCreate = new Map<string, string>();
    try {
      await new RfmRepository(old).recordLines(before);
      stored = await rows(old);
      oldSchema = await schema(old);
      for (const table of TABLES) oldCreate.set(table, await createTable(old, table));
    } finally {
      await old.destroy();
    }
    expect(stored['transaction_lines']!.length).toBeGreaterThan(1_000);
    expect(oldSchema.columns.filter((c) => c['COLUMN_NAME'] === 'customer_id').map((c) => c['COLLATION_NAME'])).toEqual(TABLES.map(() => 'utf8mb4_unicode_ci'));

    const db = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations }), logger);
    try {
      // Rows (to the millisecond of updated_at), keys and every column definition stay; the customer ids become binary.
      expect(await rows(db)).toEqual(stored);
      const migrated = await schema(db);
      expect(migrated.keys).toEqual(oldSchema.keys);
      expect(migrated.columns).toEqual(oldSchema.columns.map((c) => (c['COLUMN_NAME'] === 'customer_id' ? { ...c, COLLATION_NAME: 'utf8mb4_bin' } : c)));
      const primary: { Column_name: string }[] = await db.query("SHOW KEYS FROM transaction_lines WHERE Key_name = 'PRIMARY'");
      expect(primary.map((k) => k.Column_name)).toEqual(['customer_id', 'kind', 'line_id']);

      // Later lines of the look-alikes make customers of their own; every aggregate is the in-memory one.
      const repository = new RfmRepository(db);
      await repository.recordLines(after);
      await repository.recordLines(before);
      const all = [...before, ...after];
      expect((await repository.allMetrics()).sort(byId)).toEqual(aggregateCustomers(all).customers);
      const { lower, upper, accented, plain } = LOOK_ALIKE_IDS;
      const lookAlikeIds = new Set<string>([lower, upper, accented, plain]);
      expect((await repository.allMetrics()).filter((m) => lookAlikeIds.has(m.customerId)).map((m) => m.customerId).sort()).toEqual([...lookAlikeIds].sort());

      // Back to the collation that would merge the look-alikes: refused, and nothing changes.
      await expect(db.undoLastMigration({ transaction: 'each' })).rejects.toThrow(/cannot revert CustomerIdsBinary1765200000000: 2 keys of customer_metrics/);
      expect((await schema(db)).columns).toEqual(migrated.columns);
      // Once one of each pair is gone, it goes back to the schema written before, with the rows.
      await repository.eraseCustomers([upper, plain]);
      const kept = await rows(db);
      await db.undoLastMigration({ transaction: 'each' });
      for (const table of TABLES) expect(await createTable(db, table)).toBe(oldCreate.get(table));
      expect(await rows(db)).toEqual(kept);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
