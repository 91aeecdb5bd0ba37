import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * aset's step decisions (`scheduling_decisions`), worker heartbeats (`cluster_samples`), and the
 * indexes the per-run reports filter and group by.
 */
export class ReportingTables1764374400000 implements MigrationInterface {
  name = 'ReportingTables1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduling_decisions (
        run_id                  text NOT NULL,
        scheduler_id            text NOT NULL,
        policy                  text NOT NULL,
        chosen                  text NOT NULL,
        step                    integer NOT NULL CHECK (step >= 0),
        step_ms                 double precision NOT NULL CHECK (step_ms > 0),
        at                      timestamptz NOT NULL,
        observed_success_ratio  double precision NOT NULL CHECK (observed_success_ratio BETWEEN 0 AND 1),
        ingested_at             timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, scheduler_id, step)
      )`);
    await q.query(`
      CREATE TABLE cluster_samples (
        at            timestamptz NOT NULL,
        cluster_id    text NOT NULL,
        instance_id   text NOT NULL,
        slots         integer NOT NULL CHECK (slots > 0),
        busy_slots    integer NOT NULL CHECK (busy_slots >= 0),
        queue_length  integer NOT NULL CHECK (queue_length >= 0),
        processed     bigint NOT NULL CHECK (processed >= 0),
        PRIMARY KEY (cluster_id, instance_id, at)
      )`);
    await q.query(`CREATE INDEX cluster_samples_at_idx ON cluster_samples (at)`);
    await q.query(`CREATE INDEX queries_run_created_idx ON queries (run_id, created_at)`);
    await q.query(`CREATE INDEX queries_run_app_idx ON queries (run_id, app)`);
    await q.query(`CREATE INDEX queries_run_cluster_idx ON queries (run_id, cluster_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX queries_run_cluster_idx`);
    await q.query(`DROP INDEX queries_run_app_idx`);
    await q.query(`DROP INDEX queries_run_created_idx`);
    await q.query(`DROP TABLE cluster_samples`);
    await q.query(`DROP TABLE scheduling_decisions`);
  }
}
