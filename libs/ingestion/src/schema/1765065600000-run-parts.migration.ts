import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs split over several generators (one per edge site, say): one `run_parts` row per part, and the
 * number of parts in `runs.part_count` (null for a run of one generator). The writer sets the run's
 * `finished_at` and `query_count` once every part has finished.
 */
export class RunParts1765065600000 implements MigrationInterface {
  name = 'RunParts1765065600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs ADD COLUMN part_count integer CHECK (part_count >= 1)`);
    await q.query(`
      CREATE TABLE run_parts (
        run_id       text NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
        part_id      text NOT NULL,
        sources      jsonb NOT NULL DEFAULT '[]'::jsonb,
        started_at   timestamptz,
        finished_at  timestamptz,
        query_count  integer CHECK (query_count >= 0),
        PRIMARY KEY (run_id, part_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE run_parts`);
    await q.query(`ALTER TABLE runs DROP COLUMN part_count`);
  }
}
