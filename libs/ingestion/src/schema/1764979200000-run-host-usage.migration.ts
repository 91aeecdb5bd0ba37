import type { MigrationInterface, QueryRunner } from 'typeorm';

/** How busy the host was during each live run (`HostUsage`): a run on a saturated host measures the host, not the system. */
export class RunHostUsage1764979200000 implements MigrationInterface {
  name = 'RunHostUsage1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs ADD COLUMN host_usage jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE runs DROP COLUMN host_usage`);
  }
}
