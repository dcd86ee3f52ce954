import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers erased here (GDPR art. 17), as SHA-256 digests of their ids (never the ids): events
 * about them that arrive after the erasure, on other topics or replayed, are dropped.
 */
export class ErasedCustomers1764700000000 implements MigrationInterface {
  readonly name = 'ErasedCustomers1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE erased_customers (
        customer_digest BINARY(32) NOT NULL PRIMARY KEY,
        erased_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE erased_customers');
  }
}
