import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * customer_metrics.revision: how many times a customer's aggregates were changed, raised by one in
 * the transaction of each batch that changes them (RfmRepository.addToAggregates) and published
 * as CustomerMetricsChanged.revision. The import and live lanes publish independently, so a
 * consumer keeps the highest revision it has seen and drops an older one arriving late.
 *
 * A row that exists was written by at least one change, so existing rows start at 1: the column
 * is added with that default (existing rows take it without being rewritten), then the default
 * becomes 0 for new rows, which the batch that creates a row raises to 1 in the same transaction.
 */
export class MetricsRevision1765100000000 implements MigrationInterface {
  readonly name = 'MetricsRevision1765100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_metrics ADD COLUMN revision BIGINT UNSIGNED NOT NULL DEFAULT 1 AFTER cancelled_milli');
    await runner.query('ALTER TABLE customer_metrics ALTER COLUMN revision SET DEFAULT 0');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_metrics DROP COLUMN revision');
  }
}
