import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a model's events (the model and its training assignments) reached the broker. A model
 * stored but not yet published (a crash or a broker outage in between) is published again at
 * start; models stored before this column existed count as published.
 */
export class ModelPublished1764450000000 implements MigrationInterface {
  readonly name = 'ModelPublished1764450000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE segmentation_models ADD COLUMN published_at DATETIME(3) NULL AFTER metrics');
    await runner.query('UPDATE segmentation_models SET published_at = trained_at');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE segmentation_models DROP COLUMN published_at');
  }
}
