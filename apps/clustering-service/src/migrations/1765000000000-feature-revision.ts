import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The revision of the metric event each feature row comes from (CustomerMetricsChanged.revision:
 * how many times rfm changed the customer's aggregates, only growing), so that a late older
 * snapshot does not overwrite a newer one. 0 stands for "no revision": rows written before this
 * migration and rows written from events published before rfm had revisions.
 */
export class FeatureRevision1765000000000 implements MigrationInterface {
  readonly name = 'FeatureRevision1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_features ADD COLUMN revision BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER cancelled_milli');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_features DROP COLUMN revision');
  }
}
