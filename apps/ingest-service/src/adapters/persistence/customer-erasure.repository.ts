import type { DataSource } from 'typeorm';
import { inList, toSqlDateTime } from '@seg/platform-persistence';
import { unreadableRowNames, type ErasureRequest } from '../../application/customer-erasure';

/** `LIKE` pattern text matching `text` literally (backslash is LIKE's default escape character). */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Erased customers (their digests) and the deletion of ingest's own rows of a customer. */
export class CustomerErasureRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Records an erasure and deletes the customer's directory row and rejected rows, in one
   * transaction. A repeated request keeps the first one's time and role and marks its event as
   * pending again. Rejected rows are found by the digest of their customer cell; rows without one
   * (unreadable rows, whose fields could not be split, and rows kept before digests were) go when
   * one of their comma-separated fields is the id.
   */
  async record(request: ErasureRequest): Promise<{ customers: number; rejectedRows: number }> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO customer_erasures (customer_digest, requested_at, requested_by, pending_customer_id) VALUES (UNHEX(?), ?, ?, ?)
         ON DUPLICATE KEY UPDATE pending_customer_id = VALUES(pending_customer_id)`,
        [request.digest, toSqlDateTime(request.requestedAt), request.requestedBy.slice(0, 64), request.customerId],
      );
      const customers: { affectedRows: number } = await tx.query('DELETE FROM customers WHERE customer_id = ?', [request.customerId]);
      const byDigest: { affectedRows: number } = await tx.query('DELETE FROM rejected_rows WHERE customer_digest = UNHEX(?)', [request.digest]);
      const candidates: { id: string; raw: string }[] = await tx.query(
        `SELECT id, raw FROM rejected_rows WHERE customer_digest IS NULL AND raw LIKE ?`,
        [`%${likeLiteral(request.customerId)}%`],
      );
      const named = candidates.filter((row) => unreadableRowNames(row.raw, (id) => id === request.customerId)).map((row) => row.id);
      if (named.length > 0) await tx.query(`DELETE FROM rejected_rows WHERE id IN (${inList(named.length)})`, named);
      return { customers: customers.affectedRows, rejectedRows: byDigest.affectedRows + named.length };
    });
  }

  /** Every erased customer's digest (lower-case hex). */
  async digests(): Promise<string[]> {
    const rows: { digest: string }[] = await this.db.query('SELECT LOWER(HEX(customer_digest)) AS digest FROM customer_erasures');
    return rows.map((row) => row.digest);
  }

  async pending(): Promise<ErasureRequest[]> {
    const rows: { digest: string; requested_at: Date; requested_by: string; pending_customer_id: string }[] = await this.db.query(
      `SELECT LOWER(HEX(customer_digest)) AS digest, requested_at, requested_by, pending_customer_id
         FROM customer_erasures WHERE pending_customer_id IS NOT NULL ORDER BY requested_at`,
    );
    return rows.map((row) => ({ customerId: row.pending_customer_id, digest: row.digest, requestedAt: row.requested_at.toISOString(), requestedBy: row.requested_by }));
  }

  /** Forgets the id of an erasure whose event is on the broker; the digest, time and role stay. */
  async markPublished(digest: string): Promise<void> {
    await this.db.query('UPDATE customer_erasures SET pending_customer_id = NULL WHERE customer_digest = UNHEX(?)', [digest]);
  }
}
