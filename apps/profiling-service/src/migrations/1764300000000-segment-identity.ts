import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A segment's identity across model versions: a stable key, and the segment it continues. */
export class SegmentIdentity1764300000000 implements MigrationInterface {
  readonly name = 'SegmentIdentity1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE segments
        ADD COLUMN segment_key VARCHAR(64) NULL AFTER cluster,
        ADD COLUMN inherited_from VARCHAR(64) NULL AFTER segment_key,
        ADD COLUMN match_distance DOUBLE NULL AFTER inherited_from`);
    // Segments stored before identities existed each start their own.
    await runner.query(`UPDATE segments SET segment_key = CONCAT('m', model_version, '-', cluster) WHERE segment_key IS NULL`);
    await runner.query(`ALTER TABLE segments MODIFY segment_key VARCHAR(64) NOT NULL, ADD KEY ix_segments_key (segment_key, model_version)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE segments DROP KEY ix_segments_key, DROP COLUMN match_distance, DROP COLUMN inherited_from, DROP COLUMN segment_key');
  }
}
