import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Figures every success view reports for its group; latency percentiles are over completed queries only. */
const OUTCOME_COLUMNS = `
  count(*)::int AS queries,
  count(*) FILTER (WHERE slo_met)::int AS slo_met,
  (count(*) FILTER (WHERE slo_met))::float8 / count(*) AS success_ratio,
  count(*) FILTER (WHERE status = 'completed')::int AS completed,
  count(*) FILTER (WHERE status = 'dropped')::int AS dropped,
  count(*) FILTER (WHERE status = 'error')::int AS errors,
  count(*) FILTER (WHERE status = 'timed_out')::int AS timed_out,
  percentile_cont(0.50) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p50_ms,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p95_ms,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p99_ms`;

/**
 * Views for the common reports, all over measured (non-warm-up) queries:
 * - `report_measured_queries`: the measured queries, with the policy that decided (the query's,
 *   else the run's, else 'unknown': the attribution `GET /reports/summary` uses);
 * - `report_by_policy`, `report_by_app`, `report_by_cluster`: outcomes per run and group;
 * - `report_by_second`: outcomes per run and 1 s bucket of `created_at`, buckets aligned on the run's start;
 * - `report_latency_by_policy`: latency of completed queries per run and policy (mean, p50/p90/p95/p99, max).
 * Filter them by `run_id`: the predicate reaches the indexes of `queries`. A later migration that
 * changes a `queries` column they read must drop and recreate them.
 */
export class ReportViews1764374400001 implements MigrationInterface {
  name = 'ReportViews1764374400001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW report_measured_queries AS
      SELECT q.run_id, q.query_id, q.app, q.source, q.task,
             COALESCE(q.policy, r.policy, 'unknown') AS policy,
             q.cluster_id, q.variant_id, q.status, q.reason,
             q.created_at, q.dispatched_at, q.received_at, q.started_at, q.finished_at, q.completed_at,
             q.emulated_network_ms, q.latency_ms, q.slo_max_latency_ms, q.slo_min_accuracy, q.slo_met
        FROM queries q LEFT JOIN runs r ON r.run_id = q.run_id
       WHERE NOT q.warmup`);
    await q.query(`
      CREATE VIEW report_by_policy AS
      SELECT run_id, policy, ${OUTCOME_COLUMNS}
        FROM report_measured_queries GROUP BY run_id, policy`);
    await q.query(`
      CREATE VIEW report_by_app AS
      SELECT run_id, app, ${OUTCOME_COLUMNS}
        FROM report_measured_queries GROUP BY run_id, app`);
    await q.query(`
      CREATE VIEW report_by_cluster AS
      SELECT run_id, cluster_id, ${OUTCOME_COLUMNS}
        FROM report_measured_queries GROUP BY run_id, cluster_id`);
    await q.query(`
      CREATE VIEW report_by_second AS
      SELECT run_id,
             (extract(epoch FROM bucket_start - run_started_at))::int AS second,
             bucket_start, ${OUTCOME_COLUMNS}
        FROM (SELECT m.*, r.started_at AS run_started_at,
                     date_bin('1 second', m.created_at, COALESCE(r.started_at, TIMESTAMPTZ 'epoch')) AS bucket_start
                FROM report_measured_queries m LEFT JOIN runs r ON r.run_id = m.run_id) b
       GROUP BY run_id, run_started_at, bucket_start`);
    await q.query(`
      CREATE VIEW report_latency_by_policy AS
      SELECT run_id, policy,
             count(*)::int AS completed,
             avg(latency_ms) AS mean_ms,
             percentile_cont(0.50) WITHIN GROUP (ORDER BY latency_ms) AS p50_ms,
             percentile_cont(0.90) WITHIN GROUP (ORDER BY latency_ms) AS p90_ms,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_ms,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99_ms,
             max(latency_ms) AS max_ms
        FROM report_measured_queries
       WHERE status = 'completed'
       GROUP BY run_id, policy`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const view of ['report_latency_by_policy', 'report_by_second', 'report_by_cluster', 'report_by_app', 'report_by_policy', 'report_measured_queries']) {
      await q.query(`DROP VIEW ${view}`);
    }
  }
}
