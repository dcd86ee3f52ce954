import type { DataSource } from 'typeorm';
import { inList, placeholders, toSqlDateTime } from '@seg/platform-persistence';
import type { AttributedLine } from '../../application/import-lines';

export interface CustomerRecord {
  readonly id: string;
  readonly country: string;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
}


/**
 * The customers ingest has seen. Upserts are idempotent (first seen = min, last seen = max), so a
 * replayed file changes nothing; the country follows the most recent line. Erased customers are
 * never kept.
 */
export class CustomerDirectoryRepository {
  constructor(private readonly db: DataSource) {}

  async upsert(lines: readonly AttributedLine[]): Promise<void> {
    const byCustomer = new Map<string, { country: string; first: string; last: string }>();
    for (const line of lines) {
      const seen = byCustomer.get(line.customerId);
      if (!seen) byCustomer.set(line.customerId, { country: line.country, first: line.invoiceDate, last: line.invoiceDate });
      else {
        if (line.invoiceDate < seen.first) seen.first = line.invoiceDate;
        if (line.invoiceDate >= seen.last) {
          seen.last = line.invoiceDate;
          seen.country = line.country;
        }
      }
    }
    if (byCustomer.size === 0) return;
    const values = [...byCustomer].flatMap(([id, s]) => [id, s.country, toSqlDateTime(s.first), toSqlDateTime(s.last)]);
    // VALUES() rather than a row alias: MariaDB has no `AS new` syntax. Assignments run left to
    // right, so country is decided before last_seen_at changes.
    await this.db.query(
      `INSERT INTO customers (customer_id, country, first_seen_at, last_seen_at) VALUES ${placeholders(byCustomer.size, 4)}
       ON DUPLICATE KEY UPDATE
         country = IF(VALUES(last_seen_at) >= last_seen_at, VALUES(country), country),
         first_seen_at = LEAST(first_seen_at, VALUES(first_seen_at)),
         last_seen_at = GREATEST(last_seen_at, VALUES(last_seen_at))`,
      values,
    );
    // A customer erased meanwhile (here or on another replica) must not come back with a batch
    // that was checked before: SHA2 gives the same digest as customerDigest (UTF-8 of the id).
    await this.db.query(
      `DELETE FROM customers WHERE customer_id IN (${inList(byCustomer.size)})
         AND UNHEX(SHA2(customer_id, 256)) IN (SELECT customer_digest FROM customer_erasures)`,
      [...byCustomer.keys()],
    );
  }

  async get(id: string): Promise<CustomerRecord | null> {
    const rows: { customer_id: string; country: string; first_seen_at: Date; last_seen_at: Date }[] = await this.db.query(
      'SELECT customer_id, country, first_seen_at, last_seen_at FROM customers WHERE customer_id = ?',
      [id],
    );
    const row = rows[0];
    return row ? { id: row.customer_id, country: row.country, firstSeenAt: row.first_seen_at, lastSeenAt: row.last_seen_at } : null;
  }
}
