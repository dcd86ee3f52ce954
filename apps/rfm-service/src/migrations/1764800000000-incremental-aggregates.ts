import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incremental aggregates (RfmRepository.recordLines adds only the lines not stored before):
 *
 * - transaction_lines is clustered by customer: primary key (customer_id, kind, line_id). The line
 *   id alone still identifies a line (it hashes every source field, the customer included, and the
 *   kind follows from the fields), so a replayed line still collides with its stored copy; a
 *   customer's lines, and their cancellations, are one range of the table, and the secondary index
 *   goes (each line was written twice, at a random place in both).
 * - customer_purchase_invoices keeps each customer's distinct purchase invoices, so that a batch
 *   counts the frequency from them instead of the customer's lines. Invoice numbers compare
 *   exactly (utf8mb4_bin), as line identities and the in-memory aggregation do.
 *
 * Existing aggregates are brought in line: the invoices come from the stored purchase lines, and
 * the frequency and the latest purchase's country (ties: the first in code point order) are
 * counted again from them. Rebuilding the lines table takes about as long as copying it.
 */
export class IncrementalAggregates1764800000000 implements MigrationInterface {
  readonly name = 'IncrementalAggregates1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE transaction_lines DROP PRIMARY KEY, ADD PRIMARY KEY (customer_id, kind, line_id), DROP INDEX ix_lines_customer');
    await runner.query(`
      CREATE TABLE customer_purchase_invoices (
        customer_id VARCHAR(64) NOT NULL,
        invoice_no VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
        PRIMARY KEY (customer_id, invoice_no)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await runner.query(`
      INSERT IGNORE INTO customer_purchase_invoices (customer_id, invoice_no)
      SELECT customer_id, invoice_no FROM transaction_lines WHERE kind = 'purchase'`);
    await runner.query(`
      UPDATE customer_metrics m
         SET m.frequency = (SELECT COUNT(*) FROM customer_purchase_invoices i WHERE i.customer_id = m.customer_id),
             m.country = COALESCE((SELECT p.country FROM transaction_lines p
                                    WHERE p.customer_id = m.customer_id AND p.kind = 'purchase' AND p.invoice_date = m.last_purchase_at
                                    ORDER BY p.country COLLATE utf8mb4_bin LIMIT 1), m.country)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_purchase_invoices');
    await runner.query(
      'ALTER TABLE transaction_lines DROP PRIMARY KEY, ADD PRIMARY KEY (line_id), ADD KEY ix_lines_customer (customer_id, kind, invoice_date, invoice_no, amount_milli)',
    );
  }
}
