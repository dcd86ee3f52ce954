import type { DataSource, EntityManager } from 'typeorm';
import type { CustomerMetrics } from '@seg/domain-rfm';
import type { RecordableLine, RecordedBatch, RecordedMetrics } from '../../application/record-lines';
import {
  chunk,
  deleteCustomerRows,
  erasedAmong,
  infileField,
  infileOf,
  inList,
  loadDataLocal,
  LoadDataRefusedError,
  rememberErased,
  repeatRow,
  toIsoSeconds,
  toSqlDateTime,
  type LoadDataStatement,
} from '@seg/platform-persistence';
import { customerDeltas, storedLine, type CustomerDelta, type StoredLine } from './customer-deltas';

/**
 * Lines per statement (about 150 bytes each, as SQL or as a LOAD DATA file): about 1 MiB per
 * statement (a default 8 MiB batch of events takes six), and the point reads and INSERT of a
 * part well under max_allowed_packet.
 */
const LINES_PER_STATEMENT = 6_000;
const CUSTOMERS_PER_STATEMENT = 1_000;

interface MetricsRow {
  customer_id: string;
  country: string;
  first_purchase_at: Date;
  last_purchase_at: Date;
  frequency: number;
  monetary_milli: string;
  cancelled_milli: string;
}

const toMetrics = (row: MetricsRow): CustomerMetrics => ({
  customerId: row.customer_id,
  country: row.country,
  firstPurchaseAt: toIsoSeconds(row.first_purchase_at),
  lastPurchaseAt: toIsoSeconds(row.last_purchase_at),
  frequency: row.frequency,
  monetaryMilli: Number(row.monetary_milli),
  cancelledMilli: Number(row.cancelled_milli),
});

const METRICS_COLUMNS = 'customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli';

/**
 * Driver errors that mean a concurrent writer holds or changed the same rows: the batch is tried
 * again. Concurrent writers of one customer are the import and live lanes of a process (each
 * customer's lines of both lanes go to the same partition number of two topics, read by two
 * consumers at once) and replicas during a rebalance. A duplicate line (its plain INSERT), a
 * deadlock and a lock wait timeout (both roll back; MariaDB undoes only the statement after a
 * timeout, the transaction is rolled back here), and, with innodb_snapshot_isolation (MariaDB
 * 11.6+), a row changed since the transaction's snapshot.
 */
const CONCURRENT_WRITE = new Set(['ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CHECKREAD']);
const ATTEMPTS = 5;
/** Before attempt n (from 2), a random pause of up to (n - 1) x this: two lanes that deadlocked do not meet again in step. */
const RETRY_JITTER_MS = 20;

const codeOf = (error: unknown): string => String((error as { code?: unknown }).code);
const isConcurrentWrite = (error: unknown): boolean => CONCURRENT_WRITE.has(codeOf(error));

/** transaction_lines as a LOAD DATA file: the line id in hex (a user variable, unhexed by SET), then the columns. */
const LINES_FILE: LoadDataStatement = {
  table: 'transaction_lines',
  fields: ['@line_id', 'customer_id', 'invoice_no', 'kind', 'invoice_date', 'amount_milli', 'country'],
  set: 'line_id = UNHEX(@line_id)',
};

/** Lowercase hex of a line id, as the contracts require: such a field needs no escaping in LINES_FILE. */
const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * A line as a row of LINES_FILE, every text field escaped; the line id only if it is not plain hex
 * (the contracts' form), and the DATETIME only if it is not the usual 19 characters: a field can
 * never split a row.
 */
const lineRow = (line: StoredLine): string =>
  `${HEX_64.test(line.lineId) ? line.lineId : infileField(line.lineId)}\t${infileField(line.customerId)}\t${infileField(line.invoiceNo)}\t${line.kind}\t${line.sqlDate.length === 19 ? line.sqlDate : infileField(line.sqlDate)}\t${line.amountMilli}\t${infileField(line.country)}`;

/**
 * Lines and per-customer aggregates of the rfm service, written with set-based SQL.
 *
 * Aggregates are kept incrementally: a batch stores its lines not stored before and adds only
 * those to its customers' aggregates (customer-deltas.ts), so a batch costs about the same however
 * long its customers' history. A line counts only where this transaction's insert put it in the
 * table: when a concurrent writer (the other lane, or another replica during a rebalance) stored
 * one of the lines meanwhile, it is skipped, or the plain INSERT fails instead of counting the
 * line twice, the transaction rolls back and the batch is tried again, its lines no longer new.
 *
 * Lines go in by `LOAD DATA LOCAL INFILE` from a buffer in memory (loadDataLocal in
 * @seg/platform-persistence), which costs both sides less than a multi-row INSERT of the same
 * rows (bench/README.md, section 4). A server that refuses it (local_infile OFF, as MySQL's
 * default) gets multi-row INSERTs instead until the process restarts, announced once by
 * `onLoadDataRefused`.
 */
export class RfmRepository {
  private loadData = true;

  /**
   * `onRetry` hears of each batch tried again after a concurrent writer (the driver's error code);
   * `onLoadDataRefused` of the server refusing LOAD DATA LOCAL, the first time.
   */
  constructor(
    private readonly db: DataSource,
    private readonly onRetry: (code: string) => void = () => undefined,
    private readonly onLoadDataRefused: (error: LoadDataRefusedError) => void = () => undefined,
  ) {}

  /**
   * Stores a batch of lines (a line seen before changes nothing: its id is the primary key) and
   * adds the new ones to their customers' aggregates, in one transaction. Returns how many lines
   * were new, and the metrics of every customer the batch touched that has a purchase, after the change, whether or not it
   * changed, with their revision: a batch replayed after a crash between the commit and the
   * publication publishes them again, with the same revision. Lines of erased customers are
   * dropped (they can arrive after the erasure: in flight, or replayed), so nothing is published
   * for them. A concurrent writer of the same customers (the other lane, another replica) can make
   * the transaction fail; it is then tried again, a few times, after a short random pause.
   */
  async recordLines(batch: readonly RecordableLine[]): Promise<RecordedBatch> {
    for (let attempt = 1; ; attempt++) {
      try {
        // Repeatable read (the InnoDB default, stated here because the locking reads rely on it).
        return await this.db.transaction('REPEATABLE READ', (tx) => this.recordLinesIn(tx, batch));
      } catch (error) {
        if (attempt >= ATTEMPTS || !isConcurrentWrite(error)) throw error;
        this.onRetry(codeOf(error));
        await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt * RETRY_JITTER_MS));
      }
    }
  }

  private async recordLinesIn(tx: EntityManager, batch: readonly RecordableLine[]): Promise<RecordedBatch> {
    const customers = [...new Set(batch.map((line) => line.customerId))];
    const erased = await erasedAmong(tx, customers);
    const kept = erased.size === 0 ? customers : customers.filter((customer) => !erased.has(customer));
    if (kept.length === 0) return { metrics: [], newLines: 0 };
    const fresh = await this.insertNewLines(tx, erased.size === 0 ? batch : batch.filter((line) => !erased.has(line.customerId)));
    const deltas = customerDeltas(fresh);
    if (deltas.size > 0) await this.addToAggregates(tx, deltas);
    return { metrics: await this.metricsOf(tx, kept), newLines: fresh.length };
  }

  /**
   * Inserts the lines not stored yet (each once) and returns them. Most batches of a backfill hold
   * no stored line, so each statement first tries all of its lines (LOAD DATA ... IGNORE, or
   * INSERT IGNORE, after a savepoint); only when fewer rows went in does it undo that, read which
   * lines are stored, and insert the rest.
   */
  private async insertNewLines(tx: EntityManager, lines: readonly RecordableLine[]): Promise<StoredLine[]> {
    const distinct = new Map<string, StoredLine>();
    for (const line of lines) if (!distinct.has(line.lineId)) distinct.set(line.lineId, storedLine(line));
    const fresh: StoredLine[] = [];
    for (const part of chunk([...distinct.values()], LINES_PER_STATEMENT)) {
      await tx.query('SAVEPOINT new_lines');
      if ((await this.insertUnlessStored(tx, part)) === part.length) {
        fresh.push(...part);
        continue;
      }
      await tx.query('ROLLBACK TO SAVEPOINT new_lines');
      // Point reads on the primary key (customer, kind, line).
      const rows: { line_id: Buffer }[] = await tx.query(
        `SELECT line_id FROM transaction_lines WHERE (customer_id, kind, line_id) IN (${repeatRow(part.length, '(?,?,?)')})`,
        part.flatMap((line) => [line.customerId, line.kind, Buffer.from(line.lineId, 'hex')]),
      );
      const stored = new Set(rows.map((row) => row.line_id.toString('hex')));
      const rest = part.filter((line) => !stored.has(line.lineId));
      // A plain INSERT: a duplicate now means that a concurrent writer stored one of these lines
      // meanwhile; the error rolls the transaction back, and the batch is tried again.
      if (rest.length > 0) await this.insertLines(tx, rest, 'INSERT');
      fresh.push(...rest);
    }
    return fresh;
  }

  /**
   * Inserts the lines whose key is not stored yet, skipping the others (a stored line's row is left
   * as it is); returns how many rows went in. The lines are distinct. By LOAD DATA LOCAL ...
   * IGNORE, or by INSERT IGNORE once the server refused that.
   */
  private async insertUnlessStored(tx: EntityManager, lines: readonly StoredLine[]): Promise<number> {
    if (this.loadData) {
      try {
        return await loadDataLocal(tx, LINES_FILE, infileOf(lines, lineRow));
      } catch (error) {
        // A refused statement changes nothing: the transaction goes on with an INSERT.
        if (!(error instanceof LoadDataRefusedError)) throw error;
        if (this.loadData) {
          this.loadData = false;
          this.onLoadDataRefused(error);
        }
      }
    }
    return this.insertLines(tx, lines, 'INSERT IGNORE');
  }

  /** Inserts lines by a multi-row INSERT (IGNORE: skipping those whose key is stored); returns how many rows went in. */
  private async insertLines(tx: EntityManager, lines: readonly StoredLine[], insert: 'INSERT' | 'INSERT IGNORE'): Promise<number> {
    const result: { affectedRows?: number } = await tx.query(
      `${insert} INTO transaction_lines (line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country)
       VALUES ${repeatRow(lines.length, '(?,?,?,?,?,?,?)')}`,
      lines.flatMap((line) => [Buffer.from(line.lineId, 'hex'), line.customerId, line.invoiceNo, line.kind, line.sqlDate, line.amountMilli, line.country]),
    );
    return result.affectedRows ?? 0;
  }

  /**
   * Adds the new lines to their customers' aggregates. Sums, first and last purchase and the
   * country merge with the stored row (an upsert: a first purchase creates it). Frequency and the
   * cancelled amount are then counted again from the customer's purchase invoices and cancellation
   * lines, a few index entries each: that counts an invoice once however many batches bring its
   * lines, and takes in cancellations stored before the customer's first purchase. Every changed
   * customer with a row goes through that UPDATE exactly once per batch (the customers are
   * distinct), so it is where the revision goes up by one: a first purchase's upsert creates the
   * row at 0, the UPDATE makes it 1. A batch with nothing new (a replay) does not get here.
   */
  private async addToAggregates(tx: EntityManager, deltas: ReadonlyMap<string, CustomerDelta>): Promise<void> {
    const changed = [...deltas.values()].filter((delta) => delta.lastPurchaseAt !== null || delta.cancelledMilli !== 0);
    const buyers = changed.filter((delta) => delta.lastPurchaseAt !== null);
    const invoices = buyers.flatMap((delta) => [...delta.invoices].map((invoice) => [delta.customerId, invoice]));
    for (const part of chunk(invoices, LINES_PER_STATEMENT)) {
      await tx.query(`INSERT IGNORE INTO customer_purchase_invoices (customer_id, invoice_no) VALUES ${repeatRow(part.length, '(?,?)')}`, part.flat());
    }
    for (const part of chunk(buyers, CUSTOMERS_PER_STATEMENT)) {
      // The country is assigned first: it compares the new lines' latest purchase with the stored
      // one before last_purchase_at moves. Ties go to the first country in code point order.
      await tx.query(
        `INSERT INTO customer_metrics (customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli)
         VALUES ${repeatRow(part.length, '(?,?,?,?,0,?,0)')}
         ON DUPLICATE KEY UPDATE
           country = CASE WHEN VALUES(last_purchase_at) > last_purchase_at
                            OR (VALUES(last_purchase_at) = last_purchase_at AND VALUES(country) COLLATE utf8mb4_bin < country COLLATE utf8mb4_bin)
                          THEN VALUES(country) ELSE country END,
           first_purchase_at = LEAST(first_purchase_at, VALUES(first_purchase_at)),
           last_purchase_at = GREATEST(last_purchase_at, VALUES(last_purchase_at)),
           monetary_milli = monetary_milli + VALUES(monetary_milli)`,
        part.flatMap((delta) => [delta.customerId, delta.country, toSqlDateTime(delta.firstPurchaseAt ?? ''), toSqlDateTime(delta.lastPurchaseAt ?? ''), delta.monetaryMilli]),
      );
    }
    // In an UPDATE, InnoDB reads the subqueries' rows with shared locks (repeatable read): a
    // concurrent batch's uncommitted invoice or cancellation of the same customer is waited for,
    // never missed. A customer with only cancellations so far has no row yet; they wait in the
    // stored lines for the first purchase.
    for (const part of chunk(changed, CUSTOMERS_PER_STATEMENT)) {
      await tx.query(
        `UPDATE customer_metrics m
            SET m.frequency = (SELECT COUNT(*) FROM customer_purchase_invoices i WHERE i.customer_id = m.customer_id),
                m.cancelled_milli = (SELECT COALESCE(-SUM(c.amount_milli), 0) FROM transaction_lines c WHERE c.customer_id = m.customer_id AND c.kind = 'cancellation'),
                m.revision = m.revision + 1
          WHERE m.customer_id IN (${inList(part.length)})`,
        part.map((delta) => delta.customerId),
      );
    }
  }

  /**
   * Erases customers (GDPR art. 17): their lines and aggregates go, and they are remembered as
   * erased so that lines arriving later are dropped. One statement per table per batch; erasing
   * again is harmless. Returns the rows deleted.
   */
  async eraseCustomers(customerIds: readonly string[]): Promise<{ lines: number; metrics: number }> {
    if (customerIds.length === 0) return { lines: 0, metrics: 0 };
    return this.db.transaction(async (tx) => {
      // First: a concurrent batch of the customers' lines then waits, or is waited for (erasedAmong).
      await rememberErased(tx, customerIds);
      const lines = await deleteCustomerRows(tx, 'transaction_lines', 'customer_id', customerIds);
      await deleteCustomerRows(tx, 'customer_purchase_invoices', 'customer_id', customerIds);
      const metrics = await deleteCustomerRows(tx, 'customer_metrics', 'customer_id', customerIds);
      return { lines, metrics };
    });
  }

  /** The customers' metrics with their revision, as this transaction left them (customers without a row are left out). */
  private async metricsOf(tx: EntityManager, customers: readonly string[]): Promise<RecordedMetrics[]> {
    const result: RecordedMetrics[] = [];
    for (const part of chunk(customers, 1_000)) {
      const rows: (MetricsRow & { revision: number | string })[] = await tx.query(
        `SELECT ${METRICS_COLUMNS}, revision FROM customer_metrics WHERE customer_id IN (${inList(part.length)})`,
        part,
      );
      for (const row of rows) result.push({ ...toMetrics(row), revision: Number(row.revision) });
    }
    return result;
  }

  async allMetrics(): Promise<CustomerMetrics[]> {
    const rows: MetricsRow[] = await this.db.query(`SELECT ${METRICS_COLUMNS} FROM customer_metrics`);
    return rows.map(toMetrics);
  }

  /** The latest purchase time over all customers, or null before the first purchase. */
  async latestPurchase(): Promise<string | null> {
    const rows: { latest: Date | null }[] = await this.db.query('SELECT MAX(last_purchase_at) AS latest FROM customer_metrics');
    return rows[0]?.latest ? toIsoSeconds(rows[0].latest) : null;
  }

  /** A cheap fingerprint of the aggregates, to know when cached scores are stale. */
  async fingerprint(): Promise<string> {
    const rows: { n: number; t: Date | null }[] = await this.db.query('SELECT COUNT(*) AS n, MAX(updated_at) AS t FROM customer_metrics');
    return `${rows[0]?.n ?? 0}@${rows[0]?.t?.toISOString() ?? ''}`;
  }
}
