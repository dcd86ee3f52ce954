import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customer ids compare exactly (utf8mb4_bin), as in the code: ids are any string (shop ids,
 * emails...), and under the tables' utf8mb4_unicode_ci 'abc' and 'ABC', or 'Ä1' and 'A1', were one
 * row of the directory, and erasing one customer deleted the other's row. Type, length,
 * nullability and default stay; the keys are rebuilt with the table (MariaDB copies a table to
 * change the collation of an indexed column, blocking writes meanwhile; the directory is one
 * short row per customer).
 *
 * Back to utf8mb4_unicode_ci only while no two stored ids are equal under it: otherwise `down`
 * refuses, before changing anything, instead of merging customers.
 */
export class CustomerIdsBinary1765200000000 implements MigrationInterface {
  readonly name = 'CustomerIdsBinary1765200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customers MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    await runner.query('ALTER TABLE customer_erasures MODIFY pending_customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL DEFAULT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    // The primary key of customers is the only key on a customer id here.
    const rows: { n: number | string }[] = await runner.query(
      'SELECT COUNT(*) AS n FROM (SELECT 1 FROM customers GROUP BY customer_id COLLATE utf8mb4_unicode_ci HAVING COUNT(*) > 1) AS merged',
    );
    const merged = Number(rows[0]?.n ?? 0);
    if (merged > 0) throw new Error(`cannot revert ${this.name}: ${merged} customer ids in customers differ only by case or accents, and utf8mb4_unicode_ci would merge them`);
    await runner.query('ALTER TABLE customer_erasures MODIFY pending_customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NULL DEFAULT NULL');
    await runner.query('ALTER TABLE customers MODIFY customer_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
  }
}
