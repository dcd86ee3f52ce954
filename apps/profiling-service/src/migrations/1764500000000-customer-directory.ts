import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Profiling's copy of every customer's purchase aggregates, fed by CustomerMetricsChanged, so that
 * customers can be listed, filtered and scored here without reading another service's database.
 */
export class CustomerDirectory1764500000000 implements MigrationInterface {
  readonly name = 'CustomerDirectory1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    // changed_at is the occurredAt of the event the row comes from: an older event replayed after
    // a newer one is ignored. updated_at moves only when a value changes (cache fingerprint).
    await runner.query(`
      CREATE TABLE customer_directory (
        customer_id VARCHAR(64) NOT NULL PRIMARY KEY,
        country VARCHAR(64) NOT NULL,
        first_purchase_at DATETIME NOT NULL,
        last_purchase_at DATETIME NOT NULL,
        frequency INT NOT NULL,
        monetary_milli BIGINT NOT NULL,
        cancelled_milli BIGINT NOT NULL,
        changed_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE customer_directory');
  }
}
