import type { EntityManager } from 'typeorm';
import { erasedCustomerDigest } from '@seg/contracts-events';
import { chunk, inList, repeatRow } from './sql';

// Every consuming service keeps the digests of the customers it erased in a table
// `erased_customers (customer_digest BINARY(32) PRIMARY KEY, erased_at DATETIME(3))`, created by
// its own migration. Events about a customer can arrive after the erasure (they travel on other
// topics, or are replayed): checking this table drops them.

/** Remembers customers as erased, in the caller's transaction; remembering one again is harmless. */
export async function rememberErased(tx: EntityManager, customerIds: readonly string[]): Promise<void> {
  for (const part of chunk([...new Set(customerIds)], 1_000)) {
    await tx.query(`INSERT IGNORE INTO erased_customers (customer_digest) VALUES ${repeatRow(part.length, '(UNHEX(?))')}`, part.map(erasedCustomerDigest));
  }
}

/**
 * The customers among `customerIds` that were erased. A locking read: called in the transaction
 * that writes the customers' rows, it waits for an erasure being committed meanwhile (and holds one
 * back until the writes commit, so that the erasure deletes them), instead of missing it.
 */
export async function erasedAmong(tx: EntityManager, customerIds: readonly string[]): Promise<Set<string>> {
  const erased = new Set<string>();
  const byDigest = new Map([...new Set(customerIds)].map((id) => [erasedCustomerDigest(id), id]));
  for (const part of chunk([...byDigest.keys()], 1_000)) {
    const rows: { digest: string }[] = await tx.query(
      `SELECT LOWER(HEX(customer_digest)) AS digest FROM erased_customers WHERE customer_digest IN (${repeatRow(part.length, 'UNHEX(?)')}) LOCK IN SHARE MODE`,
      part,
    );
    for (const row of rows) {
      const id = byDigest.get(row.digest);
      if (id !== undefined) erased.add(id);
    }
  }
  return erased;
}

/** Deletes the rows of `table` whose `column` is one of the customers, one statement per 1,000 customers. Returns the rows deleted. */
export async function deleteCustomerRows(tx: EntityManager, table: string, column: string, customerIds: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const part of chunk([...new Set(customerIds)], 1_000)) {
    const result: { affectedRows?: number } = await tx.query(`DELETE FROM ${table} WHERE ${column} IN (${inList(part.length)})`, part);
    deleted += result.affectedRows ?? 0;
  }
  return deleted;
}
