import type { DataSource, EntityManager } from 'typeorm';
import { classifyLine, lineAmountMilli } from '@seg/domain-transactions';
import type { CustomerMetrics } from '@seg/domain-rfm';
import type { TransactionLineData } from '@seg/contracts-events';
import { chunk, deleteCustomerRows, erasedAmong, inList, rememberErased, repeatRow, toIsoSeconds, toSqlDateTime } from '@seg/platform-persistence';


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

/** Lines and per-customer aggregates of the rfm service, written with set-based SQL. */
export class RfmRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a batch of lines (a line seen before is ignored: its id is the primary key) and
   * recomputes the aggregates of exactly the customers the batch touched, in one transaction.
   * Returns those customers' metrics after the change. Lines of erased customers are dropped (they
   * can arrive after the erasure: in flight, or replayed), so nothing is published for them.
   */
  async recordLines(batch: readonly TransactionLineData[]): Promise<CustomerMetrics[]> {
    return this.db.transaction(async (tx) => {
      const erased = await erasedAmong(tx, batch.map((line) => line.customerId));
      const lines = erased.size === 0 ? batch : batch.filter((line) => !erased.has(line.customerId));
      const customers = [...new Set(lines.map((line) => line.customerId))];
      for (const part of chunk(lines, 2_000)) {
        const values = part.flatMap((line) => [
          line.lineId,
          line.customerId,
          line.invoiceNo,
          classifyLine(line),
          toSqlDateTime(line.invoiceDate),
          lineAmountMilli(line),
          line.country,
        ]);
        await tx.query(
          `INSERT IGNORE INTO transaction_lines (line_id, customer_id, invoice_no, kind, invoice_date, amount_milli, country)
           VALUES ${repeatRow(part.length, '(UNHEX(?),?,?,?,?,?,?)')}`,
          values,
        );
      }
      await this.recomputeCustomers(tx, customers);
      return this.metricsOf(tx, customers);
    });
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
      const metrics = await deleteCustomerRows(tx, 'customer_metrics', 'customer_id', customerIds);
      return { lines, metrics };
    });
  }

  private async recomputeCustomers(tx: EntityManager, customers: readonly string[]): Promise<void> {
    for (const part of chunk(customers, 1_000)) {
      // Country: that of the latest purchase, ties broken alphabetically (as the domain library does).
      await tx.query(
        `INSERT INTO customer_metrics (customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli)
         SELECT l.customer_id,
                (SELECT p.country FROM transaction_lines p
                  WHERE p.customer_id = l.customer_id AND p.kind = 'purchase'
                  ORDER BY p.invoice_date DESC, p.country ASC LIMIT 1),
                MIN(CASE WHEN l.kind = 'purchase' THEN l.invoice_date END),
                MAX(CASE WHEN l.kind = 'purchase' THEN l.invoice_date END),
                COUNT(DISTINCT CASE WHEN l.kind = 'purchase' THEN l.invoice_no END),
                COALESCE(SUM(CASE WHEN l.kind = 'purchase' THEN l.amount_milli END), 0),
                COALESCE(-SUM(CASE WHEN l.kind = 'cancellation' THEN l.amount_milli END), 0)
           FROM transaction_lines l
          WHERE l.customer_id IN (${inList(part.length)})
          GROUP BY l.customer_id
         HAVING COUNT(CASE WHEN l.kind = 'purchase' THEN 1 END) > 0
         ON DUPLICATE KEY UPDATE
           country = VALUES(country), first_purchase_at = VALUES(first_purchase_at), last_purchase_at = VALUES(last_purchase_at),
           frequency = VALUES(frequency), monetary_milli = VALUES(monetary_milli), cancelled_milli = VALUES(cancelled_milli)`,
        part,
      );
    }
  }

  private async metricsOf(tx: EntityManager, customers: readonly string[]): Promise<CustomerMetrics[]> {
    const result: CustomerMetrics[] = [];
    for (const part of chunk(customers, 1_000)) {
      const rows: MetricsRow[] = await tx.query(
        `SELECT customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli
           FROM customer_metrics WHERE customer_id IN (${inList(part.length)})`,
        part,
      );
      result.push(...rows.map(toMetrics));
    }
    return result;
  }

  async allMetrics(): Promise<CustomerMetrics[]> {
    const rows: MetricsRow[] = await this.db.query(
      'SELECT customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli FROM customer_metrics',
    );
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
