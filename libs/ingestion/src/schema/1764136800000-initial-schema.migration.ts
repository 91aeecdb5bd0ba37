import type { MigrationInterface, QueryRunner } from 'typeorm';

/** runs and queries, with the constraints and indexes the reports rely on. */
export class InitialSchema1764136800000 implements MigrationInterface {
  name = 'InitialSchema1764136800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE runs (
        run_id        text PRIMARY KEY,
        scenario      text,
        policy        text,
        seed          integer,
        code_version  text,
        parameters    jsonb NOT NULL DEFAULT '{}'::jsonb,
        started_at    timestamptz,
        finished_at   timestamptz,
        query_count   integer
      )`);
    await q.query(`
      CREATE TABLE queries (
        run_id              text NOT NULL,
        query_id            text NOT NULL,
        app                 text NOT NULL,
        source              text NOT NULL,
        task                text NOT NULL,
        policy              text,
        cluster_id          text,
        variant_id          text,
        status              text NOT NULL CHECK (status IN ('completed', 'dropped', 'error', 'timed_out')),
        reason              text,
        detail              text,
        created_at          timestamptz NOT NULL,
        dispatched_at       timestamptz,
        started_at          timestamptz,
        finished_at         timestamptz,
        completed_at        timestamptz NOT NULL,
        latency_ms          double precision NOT NULL CHECK (latency_ms >= 0),
        slo_max_latency_ms  double precision NOT NULL,
        slo_min_accuracy    double precision NOT NULL,
        slo_met             boolean NOT NULL,
        warmup              boolean NOT NULL,
        prediction          integer,
        label               integer,
        ingested_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, query_id)
      )`);
    await q.query(`CREATE INDEX queries_run_policy_idx ON queries (run_id, policy)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE queries`);
    await q.query(`DROP TABLE runs`);
  }
}
