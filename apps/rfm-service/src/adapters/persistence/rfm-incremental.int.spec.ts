// Incremental aggregates against the real MariaDB: a batch adds only its lines not stored before,
// so replays, duplicates, parts in any order, invoices spread over batches, ties on the latest
// purchase and concurrent writers must all come out as aggregateCustomers (@seg/domain-rfm)
// computes them in memory from the same lines, an independent implementation of the rules.
import type { DataSource } from 'typeorm';
import type { TransactionLineData } from '@seg/contracts-events';
import { aggregateCustomers, type CustomerMetrics } from '@seg/domain-rfm';
import { classifyLine, makeTransactionLine } from '@seg/domain-transactions';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import { RfmRepository } from './rfm.repository';
import { sampleLines } from '../../testing/sample-lines';
import { withoutRevision } from '../../testing/metrics';



let stock = 0;
/** A line of its own (a new stock code each time, so a new identity), for the hand-made cases. */
const line = (customerId: string, invoiceNo: string, invoiceDate: string, quantity: number, unitPriceMilli: number, country = 'United Kingdom'): TransactionLineData => ({
  ...makeTransactionLine({ invoiceNo, stockCode: `T${++stock}`, description: 'test item', quantity, invoiceDate, unitPriceMilli, customerId, country }),
  customerId,
  source: { kind: 'api', importJobId: null, lineNumber: null },
});

/** A seeded pseudo-random sequence (mulberry32), for reproducible shuffles. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byId = (a: CustomerMetrics, b: CustomerMetrics): number => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0);
const sorted = (metrics: readonly CustomerMetrics[]): CustomerMetrics[] => metrics.map(withoutRevision).sort(byId);

describe('RfmRepository incremental aggregates (real MariaDB)', () => {
  const logger = createLogger('rfm-incremental-int-spec', 'silent');
  const lines = sampleLines(7);
  const expected = aggregateCustomers(lines).customers;
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: RfmRepository;

  const reset = async (): Promise<void> => {
    for (const table of ['customer_metrics', 'customer_purchase_invoices', 'transaction_lines']) await dataSource.query(`DELETE FROM ${table}`);
  };
  /** Every stored row of the three tables, updated_at included: what "changes nothing" compares. */
  const tables = async (): Promise<unknown[]> =>
    Promise.all([
      dataSource.query('SELECT * FROM customer_metrics ORDER BY customer_id'),
      dataSource.query('SELECT * FROM customer_purchase_invoices ORDER BY customer_id, invoice_no'),
      dataSource.query('SELECT HEX(line_id) AS id, customer_id, invoice_no, kind, invoice_date, amount_milli, country FROM transaction_lines ORDER BY line_id'),
    ]);
  const metricsOf = async (customerId: string): Promise<CustomerMetrics | undefined> => (await repository.allMetrics()).find((c) => c.customerId === customerId);

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('rfm', migrations, logger));
    repository = new RfmRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('the slice has what the increments must get right', () => {
    expect(lines.length).toBeGreaterThan(2_000);
    expect(aggregateCustomers(lines).quality.duplicates).toBeGreaterThan(0);
    expect(expected.filter((c) => c.frequency > 2).length).toBeGreaterThan(10);
    expect(expected.filter((c) => c.cancelledMilli > 0).length).toBeGreaterThan(5);
  });

  it('a replayed batch changes nothing: no row, no updated_at, and the same metrics to publish again', async () => {
    await reset();
    const { metrics: first } = await repository.recordLines(lines);
    const before = await tables();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { metrics: replayed } = await repository.recordLines(lines);
    expect(await tables()).toEqual(before);
    expect(sorted(replayed)).toEqual(sorted(first));
    expect(sorted(replayed)).toEqual(expected);
  }, 30_000);

  it('a line twice in a batch is counted once', async () => {
    await reset();
    const customer = expected.find((c) => c.frequency > 1)!.customerId;
    const own = lines.filter((l) => l.customerId === customer);
    const purchase = own.find((l) => l.quantity > 0 && l.unitPriceMilli > 0)!;
    const batch = [...own, purchase, { ...purchase, source: { kind: 'stream' as const, importJobId: null, lineNumber: null } }];
    const { metrics: returned } = await repository.recordLines(batch);
    expect(returned.map(withoutRevision)).toEqual(aggregateCustomers(own).customers);
    const [{ n }] = (await dataSource.query('SELECT COUNT(*) AS n FROM transaction_lines')) as [{ n: string | number }];
    expect(Number(n)).toBe(new Set(own.map((l) => l.lineId)).size);
  });

  describe('the same lines in three batches, in any order, give the aggregates of one batch', () => {
    // A seeded random split: an invoice's lines, a purchase and its cancellation, land in
    // different batches; every batch also repeats a tenth of another batch's lines.
    const next = random(42);
    const parts: TransactionLineData[][] = [[], [], []];
    for (const l of lines) parts[Math.floor(next() * 3)]!.push(l);
    const withRepeats = parts.map((part, i) => [...part, ...parts[(i + 1) % 3]!.filter(() => next() < 0.1)]);
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];

    it('one batch', async () => {
      await reset();
      expect(sorted((await repository.recordLines(lines)).metrics)).toEqual(expected);
    });

    it.each(orders)('order %i, %i, %i', async (...order: number[]) => {
      await reset();
      const seen: TransactionLineData[] = [];
      for (const index of order) {
        const part = withRepeats[index]!;
        const { metrics: returned } = await repository.recordLines(part);
        seen.push(...part);
        const touched = new Set(part.map((l) => l.customerId));
        expect(sorted(returned)).toEqual(aggregateCustomers(seen).customers.filter((c) => touched.has(c.customerId)));
      }
      expect(sorted(await repository.allMetrics())).toEqual(expected);
    }, 30_000);
  });

  it('a new invoice of an existing customer raises the frequency by exactly one, however many lines and batches it takes', async () => {
    await reset();
    await repository.recordLines(lines);
    const customer = expected.find((c) => c.frequency > 1)!;
    const at = customer.lastPurchaseAt;
    const invoice = [line(customer.customerId, '999001', at, 2, 1_250, customer.country), line(customer.customerId, '999001', at, 1, 4_000, customer.country)];
    await repository.recordLines(invoice);
    expect(await metricsOf(customer.customerId)).toEqual({ ...customer, frequency: customer.frequency + 1, monetaryMilli: customer.monetaryMilli + 6_500 });
    // A later line of the same invoice, in another batch: the amount grows, the frequency does not.
    const more = line(customer.customerId, '999001', at, 3, 1_000, customer.country);
    await repository.recordLines([more]);
    expect(await metricsOf(customer.customerId)).toEqual({ ...customer, frequency: customer.frequency + 1, monetaryMilli: customer.monetaryMilli + 9_500 });
    // A new line of an invoice the customer already had: no new invoice either.
    const known = lines.find((l) => l.customerId === customer.customerId && classifyLine(l) === 'purchase')!;
    const extra = line(customer.customerId, known.invoiceNo, known.invoiceDate, 1, 1_000, known.country);
    await repository.recordLines([extra]);
    expect((await metricsOf(customer.customerId))?.frequency).toBe(customer.frequency + 1);
    expect(sorted(await repository.allMetrics())).toEqual(aggregateCustomers([...lines, ...invoice, more, extra]).customers);
  }, 30_000);

  it('the latest purchase gives the country; a tie goes to the first in code point order, whatever the order of arrival', async () => {
    const cases: { name: string; batches: TransactionLineData[][] }[] = [];
    const t = '2011-03-01T10:00:00Z';
    for (const [a, b] of [
      ['Spain', 'France'],
      ['France', 'Spain'],
      ['france', 'Germany'],
      ['Germany', 'france'],
    ] as const) {
      cases.push({ name: `${a} then ${b}, two batches`, batches: [[line('T1', '1', t, 1, 1_000, a)], [line('T1', '2', t, 1, 1_000, b)]] });
      cases.push({ name: `${a} and ${b}, one batch`, batches: [[line('T1', '1', t, 1, 1_000, a), line('T1', '2', t, 1, 1_000, b)]] });
    }
    for (const { name, batches } of cases) {
      await reset();
      for (const batch of batches) await repository.recordLines(batch);
      const reference = aggregateCustomers(batches.flat()).customers[0];
      expect({ name, country: (await metricsOf('T1'))?.country }).toEqual({ name, country: reference?.country });
    }
    // 'G' (U+0047) comes before 'f' (U+0066).
    expect((await metricsOf('T1'))?.country).toBe('Germany');
    // A later purchase moves the country; an earlier one, or a cancellation, does not.
    await repository.recordLines([line('T1', '3', '2011-03-02T08:00:00Z', 1, 1_000, 'Austria')]);
    await repository.recordLines([line('T1', '4', '2011-02-01T08:00:00Z', 1, 1_000, 'Belgium'), line('T1', 'C5', '2011-04-01T08:00:00Z', -1, 1_000, 'Cyprus')]);
    expect(await metricsOf('T1')).toMatchObject({ country: 'Austria', firstPurchaseAt: '2011-02-01T08:00:00Z', lastPurchaseAt: '2011-03-02T08:00:00Z', frequency: 4, cancelledMilli: 1_000 });
  });

  it('cancellations stored before a customer\'s first purchase count once it comes', async () => {
    await reset();
    const returns = [line('R1', 'C1', '2011-01-01T10:00:00Z', -2, 1_500), line('R1', 'C2', '2011-01-02T10:00:00Z', -1, 700)];
    expect((await repository.recordLines(returns)).metrics).toEqual([]);
    expect(await repository.allMetrics()).toEqual([]);
    const purchase = line('R1', '10', '2011-01-05T10:00:00Z', 4, 2_000);
    expect((await repository.recordLines([purchase])).metrics.map(withoutRevision)).toEqual(aggregateCustomers([...returns, purchase]).customers);
    expect((await metricsOf('R1'))?.cancelledMilli).toBe(3_700);
  });

  it('a line another writer stores while the batch runs is not counted again: the batch waits for it, finds it stored and leaves it out', async () => {
    await reset();
    const customer = expected.find((c) => c.frequency > 1)!.customerId;
    const own = lines.filter((l) => l.customerId === customer);
    const taken = own.find((l) => classifyLine(l) === 'purchase')!;
    const other = dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      // The other writer's line, not committed yet: the batch's snapshot does not see it.
      await other.query(
        "INSERT INTO transaction_lines (line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country) VALUES (UNHEX(?), ?, ?, 'purchase', ?, ?, ?)",
        [taken.lineId, customer, taken.invoiceNo, taken.invoiceDate.replace('T', ' ').replace('Z', ''), taken.quantity * taken.unitPriceMilli, taken.country],
      );
      let settled = false;
      const recording = repository.recordLines(own).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await other.commitTransaction();
      await recording;
    } finally {
      await other.release();
    }
    // The line belongs to the writer that stored it (which adds it to the aggregates itself): here it counts nowhere.
    const rest = own.filter((l) => l.lineId !== taken.lineId);
    expect(await metricsOf(customer)).toEqual(aggregateCustomers(rest).customers[0]);
  });

  it('two writers storing overlapping batches at once (a rebalance) count every line and invoice once', async () => {
    for (let round = 0; round < 3; round++) {
      await reset();
      const half = Math.floor(lines.length / 2);
      const a = lines.slice(0, half + 400);
      const b = lines.slice(half - 400);
      const second = new RfmRepository(dataSource);
      await Promise.all([repository.recordLines(a), second.recordLines(b)]);
      expect(sorted(await repository.allMetrics())).toEqual(expected);
    }
  }, 60_000);
});
