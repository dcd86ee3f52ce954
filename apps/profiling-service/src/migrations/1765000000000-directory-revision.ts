import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The revision of the metric event each directory row comes from (CustomerMetricsChanged.revision:
 * how many times rfm changed the customer's aggregates, only growing), so that a late older
 * snapshot does not overwrite a newer one. 0 stands for "no revision": rows written before this
 * migration and rows written from events published before rfm had revisions (between those,
 * changed_at still decides).
 */
export class DirectoryRevision1765000000000 implements MigrationInterface {
  readonly name = 'DirectoryRevision1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_directory ADD COLUMN revision BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER cancelled_milli');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_directory DROP COLUMN revision');
  }
}
