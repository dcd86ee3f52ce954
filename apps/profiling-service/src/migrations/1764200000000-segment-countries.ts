import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Segments keep the countries with the most customers, as published with the model. */
export class SegmentCountries1764200000000 implements MigrationInterface {
  readonly name = 'SegmentCountries1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE segments ADD COLUMN top_countries JSON NULL AFTER medians`);
    await runner.query(`UPDATE segments SET top_countries = '[]' WHERE top_countries IS NULL`);
    await runner.query(`ALTER TABLE segments MODIFY top_countries JSON NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE segments DROP COLUMN top_countries');
  }
}
