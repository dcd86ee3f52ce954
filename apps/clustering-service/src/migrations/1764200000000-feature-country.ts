import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keeps each customer's country in the feature table, so that cluster profiles can show top countries. */
export class FeatureCountry1764200000000 implements MigrationInterface {
  readonly name = 'FeatureCountry1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    // Rows written before this migration get their country with the customer's next metric event.
    await runner.query(`ALTER TABLE customer_features ADD COLUMN country VARCHAR(64) NOT NULL DEFAULT '' AFTER customer_id`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE customer_features DROP COLUMN country');
  }
}
