import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer ids compare exactly (utf8mb4_bin), as aggregateCustomers (@seg/domain-rfm) and every
 * map keyed by customer id do: ids are any string (shop ids, emails...), and under the tables'
 * utf8mb4_unicode_ci 'abc' and 'ABC', or 'Ä1' and 'A1', were one row of customer_metrics with
 * both customers' purchases, one customer's invoice hid the other's of the same number, and
 * erasing one customer deleted the other's lines. Type, length and nullability stay; the primary
 * keys (customer first) are rebuilt with their tables.
 *
 * MariaDB changes the collation of an indexed column by copying the table (no in-place ALTER for
 * it), blocking writes to the table meanwhile: transaction_lines, one row per distinct line, takes
 * about as long as copying it.
 *
 * Back to utf8mb4_unicode_ci only while no two stored customers are equal under it: otherwise
 * `down` refuses, before changing anything, instead of merging customers.
 */
export class CustomerIdsBinary1765200000000 implements MigrationInterface {
  readonly name = 'CustomerIdsBinary1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_metrics MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    await runner.query('ALTER TABLE customer_purchase_invoices MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    await runner.query('ALTER TABLE transaction_lines MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    // The keys that would merge rows: transaction_lines' primary key ends with the line id, unique
    // on its own, so it cannot.
    for (const [table, key] of [
      ['customer_metrics', 'customer_id COLLATE utf8mb4_unicode_ci'],
      ['customer_purchase_invoices', 'customer_id COLLATE utf8mb4_unicode_ci, invoice_no'],
    ] as const) {
      const rows: { n: number | string }[] = await runner.query(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${table} GROUP BY ${key} HAVING COUNT(*) > 1) AS merged`);
      const merged = Number(rows[0]?.n ?? 0);
      if (merged > 0) throw new Error(`cannot revert ${this.name}: ${merged} keys of ${table} hold customer ids that differ only by case or accents, and utf8mb4_unicode_ci would merge them`);
    }
    await runner.query('ALTER TABLE transaction_lines MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    await runner.query('ALTER TABLE customer_purchase_invoices MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    await runner.query('ALTER TABLE customer_metrics MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
  }
}
