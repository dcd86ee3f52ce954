// customer_metrics.revision against the real MariaDB: every batch that changes a customer's
// aggregates raises it by exactly one (however many lines, invoices and statements it takes), a
// batch that adds nothing (a replay) leaves it and returns it again, and two writers of the same
// customer at once (the import and live lanes) each count once.
import type { DataSource } from 'typeorm';
import type { TransactionLineData } from '@seg/contracts-events';
import { aggregateCustomers } from '@seg/domain-rfm';
import { classifyLine, lineAmountMilli, makeTransactionLine } from '@seg/domain-transactions';
import { createLogger } from '@seg/platform-observability';
import { type TestDatabase, createMigratedTestDatabase, closeTestDatabase } from '@seg/testing';
import { migrations } from '../../migrations';
import type { RecordedMetrics } from '../../application/record-lines';
import { RfmRepository } from './rfm.repository';
import { sampleLines } from '../../testing/sample-lines';
import { withoutRevision } from '../../testing/metrics';

let stock = 0;
/** A line of its own (a new stock code each time, so a new identity). */
const line = (customerId: string, invoiceNo: string, invoiceDate: string, quantity: number, unitPriceMilli: number): TransactionLineData => ({
  ...makeTransactionLine({ invoiceNo, stockCode: `R${++stock}`, description: 'test item', quantity, invoiceDate, unitPriceMilli, customerId, country: 'United Kingdom' }),
  customerId,
  source: { kind: 'api', importJobId: null, lineNumber: null },
});

const revisions = ({ metrics }: { readonly metrics: readonly RecordedMetrics[] }): Record<string, number> => Object.fromEntries(metrics.map((m) => [m.customerId, m.revision]));

/**
 * The revision each customer should have after the parts, in order, computed from the lines alone:
 * a part changes a customer when its lines not seen before hold a purchase, or cancellations whose
 * amounts do not sum to zero; it counts once the customer has a purchase (before that there is no
 * row: cancellations wait in the stored lines).
 */
function expectedRevisions(parts: readonly (readonly TransactionLineData[])[]): Map<string, number> {
  const seen = new Set<string>();
  const buyers = new Set<string>();
  const revision = new Map<string, number>();
  for (const part of parts) {
    const purchased = new Set<string>();
    const cancelled = new Map<string, number>();
    for (const l of part) {
      if (seen.has(l.lineId)) continue;
      seen.add(l.lineId);
      const kind = classifyLine(l);
      if (kind === 'purchase') purchased.add(l.customerId);
      if (kind === 'cancellation') cancelled.set(l.customerId, (cancelled.get(l.customerId) ?? 0) + lineAmountMilli(l));
    }
    for (const customer of purchased) buyers.add(customer);
    const changed = new Set([...purchased, ...[...cancelled].filter(([, sum]) => sum !== 0).map(([customer]) => customer)]);
    for (const customer of changed) if (buyers.has(customer)) revision.set(customer, (revision.get(customer) ?? 0) + 1);
  }
  return revision;
}

describe('customer_metrics.revision (real MariaDB)', () => {
  const logger = createLogger('rfm-revision-int-spec', 'silent');
  let database: TestDatabase;
  let dataSource: DataSource;
  let repository: RfmRepository;

  const reset = async (): Promise<void> => {
    for (const table of ['customer_metrics', 'customer_purchase_invoices', 'transaction_lines']) await dataSource.query(`DELETE FROM ${table}`);
  };
  const storedRevisions = async (): Promise<Map<string, number>> => {
    const rows: { customer_id: string; revision: string | number }[] = await dataSource.query('SELECT customer_id, revision FROM customer_metrics');
    return new Map(rows.map((row) => [row.customer_id, Number(row.revision)]));
  };
  const metricsRow = async (customerId: string): Promise<unknown> => (await dataSource.query('SELECT * FROM customer_metrics WHERE customer_id = ?', [customerId]))[0];

  beforeAll(async () => {
    ({ database, dataSource } = await createMigratedTestDatabase('rfm', migrations, logger));
    repository = new RfmRepository(dataSource);
  }, 30_000);

  afterAll(() => closeTestDatabase(dataSource, database));

  it('goes 1, 2, 3 as batches change a customer; a replay, or lines that change no aggregate, leave it and return it again', async () => {
    await reset();
    const c = 'REV1';
    const first = [line(c, '1001', '2011-01-03T10:00:00Z', 2, 1_000), line(c, '1001', '2011-01-03T10:00:00Z', 1, 500)];
    const second = [line(c, '1002', '2011-01-05T10:00:00Z', 1, 2_000)];
    const third = [line(c, 'C1003', '2011-01-06T10:00:00Z', -1, 2_000)];

    expect(revisions(await repository.recordLines(first))).toEqual({ [c]: 1 });
    expect(revisions(await repository.recordLines(second))).toEqual({ [c]: 2 });
    // A cancellation alone changes the cancelled amount: a change too.
    expect(revisions(await repository.recordLines(third))).toEqual({ [c]: 3 });

    // Replays (one batch, or all of them at once): nothing stored, nothing changed, revision 3 again.
    const before = await metricsRow(c);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(revisions(await repository.recordLines(second))).toEqual({ [c]: 3 });
    expect(revisions(await repository.recordLines([...first, ...second, ...third]))).toEqual({ [c]: 3 });
    // New lines that are neither purchases nor cancellations (a free item, a bad-debt adjustment) change no aggregate.
    expect(revisions(await repository.recordLines([line(c, '1004', '2011-01-07T10:00:00Z', 1, 0), line(c, 'A1005', '2011-01-07T10:00:00Z', 1, -5_000)]))).toEqual({ [c]: 3 });
    expect(await metricsRow(c)).toEqual(before);

    // Stored lines with new ones, several invoices and a cancellation in one batch: one change, +1.
    const fourth = [
      ...first,
      line(c, '1006', '2011-01-08T10:00:00Z', 3, 1_000),
      line(c, '1006', '2011-01-08T10:00:00Z', 1, 1_000),
      line(c, '1007', '2011-01-09T10:00:00Z', 1, 1_000),
      line(c, 'C1008', '2011-01-09T11:00:00Z', -1, 1_000),
    ];
    const { metrics: returned } = await repository.recordLines(fourth);
    expect(revisions({ metrics: returned })).toEqual({ [c]: 4 });
    expect(returned.map(withoutRevision)).toEqual(aggregateCustomers([...first, ...second, ...third, ...fourth]).customers);
    expect((await storedRevisions()).get(c)).toBe(4);
  });

  it('cancellations before a first purchase: no row, then the purchase creates it at revision 1', async () => {
    await reset();
    expect((await repository.recordLines([line('REV2', 'C2001', '2011-01-01T10:00:00Z', -2, 1_500)])).metrics).toEqual([]);
    expect((await repository.recordLines([line('REV2', 'C2002', '2011-01-02T10:00:00Z', -1, 1_500)])).metrics).toEqual([]);
    const { metrics: created } = await repository.recordLines([line('REV2', '2003', '2011-01-05T10:00:00Z', 4, 2_000)]);
    expect(created).toEqual([expect.objectContaining({ customerId: 'REV2', cancelledMilli: 4_500, revision: 1 })]);
  });

  it('one batch of many customers (several statements of each kind) gives every customer revision 1', async () => {
    await reset();
    const lines = sampleLines(1);
    const customers = aggregateCustomers(lines).customers;
    // More customers than one UPDATE takes (1,000), more lines than one load (6,000).
    expect(customers.length).toBeGreaterThan(1_000);
    expect(lines.length).toBeGreaterThan(6_000);
    const { metrics: returned } = await repository.recordLines(lines);
    expect(returned).toHaveLength(customers.length);
    expect(new Set(returned.map((m) => m.revision))).toEqual(new Set([1]));
    expect(new Set((await storedRevisions()).values())).toEqual(new Set([1]));
  }, 60_000);

  it('the same lines in three batches: each customer\'s revision is the number of batches that changed it', async () => {
    await reset();
    const lines = sampleLines(7);
    // Interleaved parts, each repeating some of the previous part's lines.
    const parts = [0, 1, 2].map((p) => lines.filter((_, i) => i % 3 === p));
    const withRepeats = parts.map((part, i) => (i === 0 ? part : [...part, ...parts[i - 1]!.filter((_, j) => j % 10 === 0)]));
    for (const part of withRepeats) await repository.recordLines(part);
    const expected = expectedRevisions(withRepeats);
    expect([...expected.values()].filter((n) => n === 3).length).toBeGreaterThan(10);
    expect([...expected.values()].filter((n) => n < 3).length).toBeGreaterThan(0);
    expect(await storedRevisions()).toEqual(expected);
    // And a replay of everything changes none of them.
    await repository.recordLines(lines);
    expect(await storedRevisions()).toEqual(expected);
  }, 30_000);

  it('two writers of the same customers at once (the two lanes) each count once, retried or not', async () => {
    const retries: string[] = [];
    for (let round = 0; round < 3; round++) {
      await reset();
      const lines = sampleLines(11);
      const importLane = lines.filter((_, i) => i % 2 === 0);
      const liveLane = lines.filter((_, i) => i % 2 === 1);
      const other = new RfmRepository(dataSource, (code) => retries.push(code));
      const own = new RfmRepository(dataSource, (code) => retries.push(code));
      await Promise.all([own.recordLines(importLane), other.recordLines(liveLane)]);
      expect(await storedRevisions()).toEqual(expectedRevisions([importLane, liveLane]));
      expect((await repository.allMetrics()).sort((a, b) => (a.customerId < b.customerId ? -1 : 1))).toEqual(aggregateCustomers(lines).customers);
    }
    for (const code of retries) expect(['ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CHECKREAD']).toContain(code);
  }, 60_000);

  it('erasure deletes the row with its revision', async () => {
    await reset();
    await repository.recordLines([line('REV3', '3001', '2011-01-05T10:00:00Z', 1, 1_000)]);
    await repository.recordLines([line('REV3', '3002', '2011-01-06T10:00:00Z', 1, 1_000)]);
    expect((await storedRevisions()).get('REV3')).toBe(2);
    expect(await repository.eraseCustomers(['REV3'])).toEqual({ lines: 2, metrics: 1 });
    expect((await storedRevisions()).has('REV3')).toBe(false);
    expect((await repository.recordLines([line('REV3', '3003', '2011-01-07T10:00:00Z', 1, 1_000)])).metrics).toEqual([]);
  });
});
