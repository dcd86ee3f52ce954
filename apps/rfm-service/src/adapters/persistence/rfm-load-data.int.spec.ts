// Lines stored by LOAD DATA LOCAL INFILE from memory, against the real MariaDB: text fields that
// a tab-separated file must escape come back exactly, a batch larger than one statement and a
// batch partly stored already come out as aggregateCustomers (@seg/domain-rfm) computes them in
// memory, the pool serves no file but the buffers it registered, and a server that refuses LOAD
// DATA LOCAL gets multi-row INSERTs with the same result.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner.js';
import type { TransactionLineData } from '@seg/contracts-events';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { classifyLine, lineAmountMilli, makeTransactionLine } from '@seg/domain-transactions';
import { createLogger } from '@seg/platform-observability';
import { connectAndMigrate, createDataSource, LoadDataRefusedError, toIsoSeconds } from '@seg/platform-persistence';
import { WORKSPACE_ROOT, type TestDatabase, createMigratedTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { RfmRepository } from './rfm.repository';
import { withoutRevision } from '../../testing/metrics';

let stock = 0;
const line = (customerId: string, invoiceNo: string, invoiceDate: string, quantity: number, unitPriceMilli: number, country: string): TransactionLineData => ({
  ...makeTransactionLine({ invoiceNo, stockCode: `L${++stock}`, description: 'test item', quantity, invoiceDate, unitPriceMilli, customerId, country }),
  customerId,
  source: { kind: 'api', importJobId: null, lineNumber: null },
});

/** Text a LOAD DATA file must escape or keep as it is: separators, escapes, NULL markers, non-ASCII. */
const AWKWARD = [
  'tab\there',
  'back\\slash',
  'new\nline',
  'carriage\rreturn',
  'nul\0byte',
  '\\N',
  'NULL',
  '\\',
  'ends with a backslash\\',
  '\\t not a tab',
  '\\\\n',
  'Côte d’Ivoire',
  '£',
  'smile 🙂',
  '  spaces around  ',
  '"double", \'single\'',
  '\x1a\b',
  'end of line\r\n',
];
// Customer ids differ in more than case and trailing spaces: the column compares case-insensitively.
const CUSTOMERS = ['cust\t1', 'cust\\2', 'cust\n3', 'Côte d’Ivoire 4', '£5', '🙂6', '\\N', 'NULL', 'quote\'"9', 'nul\0ten'];

/** Lines whose customer, invoice number and country each hold awkward text. */
function awkwardLines(): TransactionLineData[] {
  const lines: TransactionLineData[] = [];
  CUSTOMERS.forEach((customer, c) => {
    AWKWARD.forEach((text, t) => {
      const at = `2011-0${1 + (t % 9)}-1${c % 10}T${String(t).padStart(2, '0')}:30:00Z`;
      // A purchase, a second line of the same invoice, and a cancellation, all with awkward text.
      lines.push(line(customer, `${t}${text}`, at, 1 + t, 1_250, AWKWARD[(t + c) % AWKWARD.length]!));
      lines.push(line(customer, `${t}${text}`, at, 2, 990, text));
      if (t % 4 === 0) lines.push(line(customer, `C${text}`, at, -1, 500, text));
    });
    // The empty country, on an early purchase (the latest purchases tie on awkward countries).
    lines.push(line(customer, '900', '2010-12-01T09:00:00Z', 1, 100, ''));
  });
  return lines;
}

/** Lines of many customers, `count` in all, a few invoices each. */
function manyLines(count: number): TransactionLineData[] {
  return Array.from({ length: count }, (_, i) =>
    line(`M${i % 700}`, `${1_000 + (i % 2_100)}`, `2011-${String(1 + (i % 12)).padStart(2, '0')}-0${1 + (i % 9)}T10:00:00Z`, 1 + (i % 5), 1_000 + i, i % 3 === 0 ? 'France' : 'United Kingdom'),
  );
}

interface LineRow {
  id: string;
  customer_id: string;
  invoice_no: string;
  kind: string;
  invoice_date: Date;
  amount_milli: string;
  country: string;
}

type StoredLine = Omit<LineRow, 'invoice_date'> & { invoice_date: string };

/** A line as its stored row should read. */
const rowOf = (l: TransactionLineData): StoredLine => ({
  id: l.lineId,
  customer_id: l.customerId,
  invoice_no: l.invoiceNo,
  kind: classifyLine(l),
  invoice_date: l.invoiceDate,
  amount_milli: String(lineAmountMilli(l)),
  country: l.country,
});
const byLineId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byCustomer = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
const sorted = (metrics: readonly CustomerMetrics[]): CustomerMetrics[] => metrics.map(withoutRevision).sort(byCustomer);
const distinct = (lines: readonly TransactionLineData[]): TransactionLineData[] => [...new Map(lines.map((l) => [l.lineId, l])).values()];

describe('RfmRepository, lines by LOAD DATA LOCAL INFILE (real MariaDB)', () => {
  const logger = createLogger('rfm-load-data-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: RfmRepository;
  const refusals: LoadDataRefusedError[] = [];
  /** Every statement sent through TypeORM's MySQL query runner. */
  const query = jest.spyOn(MysqlQueryRunner.prototype, 'query');
  const statements = (): string[] => query.mock.calls.map((call) => String(call[0]).trim());
  const loads = (): number => statements().filter((sql) => sql.startsWith('LOAD DATA LOCAL INFILE')).length;
  const lineInserts = (): number => statements().filter((sql) => /^INSERT (IGNORE )?INTO transaction_lines/.test(sql)).length;

  const reset = async (): Promise<void> => {
    for (const table of ['customer_metrics', 'customer_purchase_invoices', 'transaction_lines']) await dataSource.query(`DELETE FROM ${table}`);
    query.mockClear();
  };
  const storedLines = async (db: DataSource = dataSource): Promise<StoredLine[]> => {
    const rows: LineRow[] = await db.query('SELECT LOWER(HEX(line_id)) AS id, customer_id, invoice_no, kind, invoice_date, amount_milli, country FROM transaction_lines');
    return rows.map((r) => ({ ...r, invoice_date: toIsoSeconds(r.invoice_date), amount_milli: String(r.amount_milli) })).sort(byLineId);
  };

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('rfm', migrations, logger));
    repository = new RfmRepository(dataSource, undefined, (error) => refusals.push(error));
  }, 30_000);

  afterAll(async () => {
    query.mockRestore();
    await dataSource?.destroy();
    await database?.drop();
  });

  afterEach(() => {
    // This data source offers LOAD DATA LOCAL and the server allows it: never a refusal.
    expect(refusals).toEqual([]);
  });

  it('stores customer ids, invoice numbers and countries with tabs, backslashes, newlines, NUL and non-ASCII exactly', async () => {
    await reset();
    const lines = awkwardLines();
    const { metrics: returned } = await repository.recordLines(lines);
    expect(loads()).toBe(1);
    expect(lineInserts()).toBe(0);
    expect(await storedLines()).toEqual(lines.map(rowOf).sort(byLineId));
    expect(sorted(returned)).toEqual(aggregateCustomers(lines).customers);
    expect(sorted(await repository.allMetrics())).toEqual(aggregateCustomers(lines).customers);
    // 'Côte d’Ivoire' and '£' as the client sent them, in UTF-8 (not latin1 read as UTF-8).
    const [{ bytes }] = (await dataSource.query("SELECT HEX(country) AS bytes FROM transaction_lines WHERE country = 'Côte d’Ivoire' LIMIT 1")) as [{ bytes: string }];
    expect(bytes).toBe(Buffer.from('Côte d’Ivoire', 'utf8').toString('hex').toUpperCase());
  });

  it('a replay stores nothing, and a batch partly stored already stores the rest exactly', async () => {
    await reset();
    const lines = awkwardLines();
    const first = lines.filter((_, i) => i % 3 === 0);
    await repository.recordLines(first);
    const before = await storedLines();
    expect(sorted((await repository.recordLines(first)).metrics)).toEqual(aggregateCustomers(first).customers);
    expect(await storedLines()).toEqual(before);
    // Two thirds new, one third stored: the load stores fewer rows than offered, so the part goes
    // back to the savepoint, reads which lines are stored and inserts the others.
    query.mockClear();
    const { metrics: returned } = await repository.recordLines(lines);
    expect(loads()).toBe(1);
    expect(statements().filter((sql) => sql.startsWith('INSERT INTO transaction_lines'))).toHaveLength(1);
    expect(await storedLines()).toEqual(lines.map(rowOf).sort(byLineId));
    expect(sorted(returned)).toEqual(aggregateCustomers(lines).customers);
  });

  it('a batch larger than one statement is loaded in parts, each counted once', async () => {
    await reset();
    const lines = manyLines(14_000);
    await repository.recordLines(lines);
    // 6,000 lines per statement: 6,000 + 6,000 + 2,000.
    expect(loads()).toBe(3);
    expect(lineInserts()).toBe(0);
    const [{ n }] = (await dataSource.query('SELECT COUNT(*) AS n FROM transaction_lines')) as [{ n: string }];
    expect(Number(n)).toBe(14_000);
    // Then an overlapping batch, larger than a statement too: a part wholly stored, one partly
    // (its new lines by INSERT), one not at all.
    query.mockClear();
    const more = [...lines.slice(5_000), ...manyLines(5_000).map((l, i) => line(l.customerId, `X${i}`, l.invoiceDate, l.quantity, l.unitPriceMilli, l.country))];
    await repository.recordLines(more);
    expect(loads()).toBe(3);
    expect(statements().filter((sql) => sql.startsWith('INSERT INTO transaction_lines'))).toHaveLength(1);
    expect(sorted(await repository.allMetrics())).toEqual(aggregateCustomers([...lines, ...more]).customers);
    expect(await storedLines()).toEqual(distinct([...lines, ...more]).map(rowOf).sort(byLineId));
  }, 60_000);

  it('the pool serves no file but the buffers it registered: any other name is refused and nothing is read', async () => {
    await reset();
    const load = (name: string) =>
      dataSource.query(
        `LOAD DATA LOCAL INFILE '${name}' IGNORE INTO TABLE transaction_lines CHARACTER SET utf8mb4
           FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'
           (@line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country) SET line_id = UNHEX(@line_id)`,
      );
    // A file that exists (this repository's package.json), one that may, and a name of the
    // shape the repository registers that was never registered.
    for (const name of [join(WORKSPACE_ROOT, 'package.json'), '/etc/hostname', `seg-infile-${randomUUID()}`]) {
      await expect(load(name)).rejects.toThrow(`refusing LOAD DATA LOCAL INFILE ${JSON.stringify(name)}`);
    }
    const [{ n }] = (await dataSource.query('SELECT COUNT(*) AS n FROM transaction_lines')) as [{ n: string }];
    expect(Number(n)).toBe(0);
    // The pool still works after a refusal.
    const lines = awkwardLines();
    await repository.recordLines(lines);
    expect(await storedLines()).toEqual(lines.map(rowOf).sort(byLineId));
  });

  it('a server that refuses LOAD DATA LOCAL gets multi-row INSERTs with the same rows, announced once', async () => {
    await reset();
    // Connections that do not offer LOCAL_FILES: MariaDB refuses LOAD DATA LOCAL as when its
    // local_infile is OFF.
    const refusing = await connectAndMigrate(createDataSource({ settings: database.settings, entities: [], migrations, localInfile: false }), logger);
    try {
      const heard: LoadDataRefusedError[] = [];
      const fallback = new RfmRepository(refusing, undefined, (error) => heard.push(error));
      const lines = awkwardLines();
      const parts = [0, 1, 2].map((p) => lines.filter((_, i) => i % 3 === p));
      await Promise.all([fallback.recordLines(parts[0]!), fallback.recordLines(parts[1]!)]);
      await fallback.recordLines(lines);
      expect(heard).toHaveLength(1);
      expect(heard[0]).toBeInstanceOf(LoadDataRefusedError);
      expect(heard[0]?.message).toMatch(/refuses LOAD DATA LOCAL INFILE/);
      // Refused at most once per batch that was running when it came, then never tried again.
      expect(loads()).toBeLessThanOrEqual(2);
      expect(await storedLines(refusing)).toEqual(lines.map(rowOf).sort(byLineId));
      expect(sorted(await fallback.allMetrics())).toEqual(aggregateCustomers(lines).customers);
    } finally {
      await refusing.destroy();
    }
  });
});
