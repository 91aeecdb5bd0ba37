import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Emulated network delay per query (request plus reply), recorded by workers that emulate links. */
export class EmulatedNetwork1764201600000 implements MigrationInterface {
  name = 'EmulatedNetwork1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE queries ADD COLUMN emulated_network_ms double precision CHECK (emulated_network_ms >= 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE queries DROP COLUMN emulated_network_ms`);
  }
}
