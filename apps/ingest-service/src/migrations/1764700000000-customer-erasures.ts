import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erased customers (GDPR art. 17): a SHA-256 digest of the id, never the id, with when and by
 * which role. The id itself is kept only until the erasure event is on the broker
 * (pending_customer_id, cleared right after publishing), so that an event lost to a crash is sent
 * again. Import jobs count the lines of erased customers they dropped; rejected rows carry the
 * digest of their customer cell so that an erasure finds them.
 */
export class CustomerErasures1764700000000 implements MigrationInterface {
  readonly name = 'CustomerErasures1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE customer_erasures (
        customer_digest BINARY(32) NOT NULL PRIMARY KEY,
        requested_at DATETIME(3) NOT NULL,
        requested_by VARCHAR(64) NOT NULL,
        pending_customer_id VARCHAR(64) NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await runner.query('ALTER TABLE import_jobs ADD COLUMN erased INT NOT NULL DEFAULT 0 AFTER without_customer');
    await runner.query('ALTER TABLE rejected_rows ADD COLUMN customer_digest BINARY(32) NULL, ADD KEY ix_rejected_rows_customer (customer_digest)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE rejected_rows DROP KEY ix_rejected_rows_customer, DROP COLUMN customer_digest');
    await runner.query('ALTER TABLE import_jobs DROP COLUMN erased');
    await runner.query('DROP TABLE customer_erasures');
  }
}
