import type { DataSource, EntityManager } from 'typeorm';
import type { CustomerMetricsChanged } from '@seg/contracts-events';
import type { CustomerMetrics } from '@seg/domain-rfm';
import { chunk, deleteCustomerRows, erasedAmong, placeholders, toIsoSeconds, toSqlDateTime } from '@seg/platform-persistence';

interface DirectoryRow {
  customer_id: string;
  country: string;
  first_purchase_at: Date;
  last_purchase_at: Date;
  frequency: number;
  monetary_milli: string;
  cancelled_milli: string;
}

const toMetrics = (row: DirectoryRow): CustomerMetrics => ({
  customerId: row.customer_id,
  country: row.country,
  firstPurchaseAt: toIsoSeconds(row.first_purchase_at),
  lastPurchaseAt: toIsoSeconds(row.last_purchase_at),
  frequency: row.frequency,
  monetaryMilli: Number(row.monetary_milli),
  cancelledMilli: Number(row.cancelled_milli),
});

/** An event's revision as stored: 0 for an event published before rfm had revisions. */
const revisionOf = (event: CustomerMetricsChanged): number => event.data.revision ?? 0;

/**
 * The newest event per customer: the highest revision; between equal revisions (no revision at
 * all, or a replay) the later occurredAt, on a tie the later one in the batch.
 */
function newestPerCustomer(events: readonly CustomerMetricsChanged[]): CustomerMetricsChanged[] {
  const newest = new Map<string, CustomerMetricsChanged>();
  for (const event of events) {
    const seen = newest.get(event.data.customerId);
    const newer =
      !seen || revisionOf(event) > revisionOf(seen) || (revisionOf(event) === revisionOf(seen) && Date.parse(event.occurredAt) >= Date.parse(seen.occurredAt));
    if (newer) newest.set(event.data.customerId, event);
  }
  return [...newest.values()];
}

/**
 * Whether the event replaces the stored row, in the upsert below (the stored columns unprefixed).
 * rfm publishes from two lanes, so an older snapshot can arrive after a newer one, and a later
 * occurredAt does not make it newer: the revision decides, and an event is applied if its
 * revision is at least the stored one (equal: a replay of the same snapshot). An event without a
 * revision (0) was published before rfm had revisions, so it is older than any row with one: it
 * is dropped there (0 < any revision). Between a row and an event both without revision, the
 * occurredAt rule of before revisions still applies.
 */
const APPLIES = 'IF(VALUES(revision) = 0 AND revision = 0, VALUES(changed_at) >= changed_at, VALUES(revision) >= revision)';

/** One multi-row upsert. MariaDB has no `INSERT ... AS new`: the new values are VALUES(column). */
async function upsert(tx: EntityManager, events: readonly CustomerMetricsChanged[]): Promise<void> {
  // MariaDB evaluates the assignments left to right, so changed_at and revision must come last:
  // the conditions before them compare with the stored values. changed_at is the occurredAt of
  // the event the row comes from.
  await tx.query(
    `INSERT INTO customer_directory (customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli, changed_at, revision)
     VALUES ${placeholders(events.length, 9)}
     ON DUPLICATE KEY UPDATE
       country = IF(${APPLIES}, VALUES(country), country),
       first_purchase_at = IF(${APPLIES}, VALUES(first_purchase_at), first_purchase_at),
       last_purchase_at = IF(${APPLIES}, VALUES(last_purchase_at), last_purchase_at),
       frequency = IF(${APPLIES}, VALUES(frequency), frequency),
       monetary_milli = IF(${APPLIES}, VALUES(monetary_milli), monetary_milli),
       cancelled_milli = IF(${APPLIES}, VALUES(cancelled_milli), cancelled_milli),
       changed_at = IF(${APPLIES}, VALUES(changed_at), changed_at),
       revision = GREATEST(revision, VALUES(revision))`,
    events.flatMap((event) => [
      event.data.customerId,
      event.data.country,
      toSqlDateTime(event.data.firstPurchaseAt),
      toSqlDateTime(event.data.lastPurchaseAt),
      event.data.frequency,
      event.data.monetaryMilli,
      event.data.cancelledMilli,
      toSqlDateTime(event.occurredAt),
      revisionOf(event),
    ]),
  );
}

/** Every customer's purchase aggregates as the rfm service last published them. */
export class CustomerDirectoryRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Upserts the customers of a batch of metric changes. Idempotent: a replayed event writes the
   * values already stored, and an event older than the stored one changes nothing (older: a lower
   * revision, no revision on a row with one, or, both without revision, an earlier occurredAt).
   * A change of an erased customer (arriving after the erasure) is dropped.
   */
  async saveMetrics(events: readonly CustomerMetricsChanged[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const erased = await erasedAmong(tx, events.map((e) => e.data.customerId));
      const changes = newestPerCustomer(events).filter((e) => !erased.has(e.data.customerId));
      for (const part of chunk(changes, 2_000)) await upsert(tx, part);
    });
  }

  async allMetrics(): Promise<CustomerMetrics[]> {
    const rows: DirectoryRow[] = await this.db.query(
      'SELECT customer_id, country, first_purchase_at, last_purchase_at, frequency, monetary_milli, cancelled_milli FROM customer_directory',
    );
    return rows.map(toMetrics);
  }

  /**
   * A cheap fingerprint of the table, to know when cached scores are stale. The sums catch a
   * change stored in the same millisecond as the newest one before it.
   */
  async fingerprint(): Promise<string> {
    const rows: { n: number; t: Date | null; f: string | null; m: string | null; c: string | null }[] = await this.db.query(
      'SELECT COUNT(*) AS n, MAX(updated_at) AS t, SUM(frequency) AS f, SUM(monetary_milli) AS m, SUM(cancelled_milli) AS c FROM customer_directory',
    );
    const row = rows[0];
    return `${row?.n ?? 0}@${row?.t?.toISOString() ?? ''}/${row?.f ?? 0}/${row?.m ?? 0}/${row?.c ?? 0}`;
  }

  /** Ids of the customers currently assigned to one cluster of one model version. */
  async segmentMembers(modelVersion: number, cluster: number): Promise<string[]> {
    const rows: { customer_id: string }[] = await this.db.query('SELECT customer_id FROM customer_segments WHERE model_version = ? AND cluster = ?', [modelVersion, cluster]);
    return rows.map((r) => r.customer_id);
  }

  /**
   * Deletes customers' directory rows (GDPR art. 17), in the caller's transaction when one is
   * given; returns the rows deleted. Their later changes are dropped once the erasure is
   * remembered (ProfilingRepository.eraseCustomers).
   */
  async eraseCustomers(customerIds: readonly string[], tx?: EntityManager): Promise<number> {
    if (customerIds.length === 0) return 0;
    return deleteCustomerRows(tx ?? this.db.manager, 'customer_directory', 'customer_id', customerIds);
  }
}
