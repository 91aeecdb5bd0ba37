import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The generator's final `aset_*` metrics (`RunFinished.generatorMetrics`, prom-client's JSON of each
 * metric family), which would otherwise die with its process: on the run for a run of one
 * generator, on each part for a run split over several.
 */
export class GeneratorMetrics1765238400000 implements MigrationInterface {
  name = 'GeneratorMetrics1765238400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs ADD COLUMN generator_metrics jsonb`);
    await q.query(`ALTER TABLE run_parts ADD COLUMN generator_metrics jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE run_parts DROP COLUMN generator_metrics`);
    await q.query(`ALTER TABLE runs DROP COLUMN generator_metrics`);
  }
}
