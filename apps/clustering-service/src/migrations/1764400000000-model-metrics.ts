import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Keeps each model's quality metrics (k sweep, scores, 2-D projection); NULL for models trained before. */
export class ModelMetrics1764400000000 implements MigrationInterface {
  readonly name = 'ModelMetrics1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE segmentation_models ADD COLUMN metrics JSON NULL AFTER summary');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE segmentation_models DROP COLUMN metrics');
  }
}
