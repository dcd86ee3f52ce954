import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764100000000 implements MigrationInterface {
  readonly name = 'InitialSchema1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    // One row per distinct source line: the primary key is the line's identity (sha-256 of all
    // its source fields), so a replayed line is ignored and never counted twice.
    await runner.query(`
      CREATE TABLE transaction_lines (
        line_id BINARY(32) NOT NULL PRIMARY KEY,
        customer_id VARCHAR(64) NOT NULL,
        invoice_no VARCHAR(32) NOT NULL,
        kind ENUM('purchase','cancellation','adjustment','other') NOT NULL,
        invoice_date DATETIME NOT NULL,
        amount_milli BIGINT NOT NULL,
        country VARCHAR(64) NOT NULL,
        KEY ix_lines_customer (customer_id, kind, invoice_date, invoice_no, amount_milli)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await runner.query(`
      CREATE TABLE customer_metrics (
        customer_id VARCHAR(64) NOT NULL PRIMARY KEY,
        country VARCHAR(64) NOT NULL,
        first_purchase_at DATETIME NOT NULL,
        last_purchase_at DATETIME NOT NULL,
        frequency INT NOT NULL,
        monetary_milli BIGINT NOT NULL,
        cancelled_milli BIGINT NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        KEY ix_metrics_last_purchase (last_purchase_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_metrics');
    await runner.query('DROP TABLE transaction_lines');
  }
}
