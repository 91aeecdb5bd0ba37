import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When each query reached its worker: splits latency into messaging, queueing and processing. */
export class ReceivedAt1764288000000 implements MigrationInterface {
  name = 'ReceivedAt1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE queries ADD COLUMN received_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE queries DROP COLUMN received_at`);
  }
}
