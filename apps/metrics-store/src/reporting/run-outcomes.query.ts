import type { DataSource } from 'typeorm';
import type { Breakdown } from './report-params.schema.js';
import type { LatencyReport, RunBreakdown, Timeseries } from './report-responses.schema.js';

/** The view and its group column for each breakdown: a closed set, never built from input. */
const BREAKDOWN_SOURCES: Record<Breakdown, { view: string; column: string }> = {
  policy: { view: 'report_by_policy', column: 'policy' },
  app: { view: 'report_by_app', column: 'app' },
  cluster: { view: 'report_by_cluster', column: 'cluster_id' },
};

/** Origin of a run's buckets: its start, else its first query's creation. */
const RUN_ORIGIN = `
  SELECT COALESCE((SELECT started_at FROM runs WHERE run_id = $1),
                  (SELECT min(created_at) FROM queries WHERE run_id = $1)) AS t0`;

interface OutcomeRow {
  key: string | null;
  queries: number;
  slo_met: number;
  success_ratio: number;
  completed: number;
  dropped: number;
  errors: number;
  timed_out: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

/** Outcomes of a run's measured queries per policy, app or cluster (from the `report_by_*` views), ordered by group. */
export async function runBreakdown(db: DataSource, runId: string, by: Breakdown): Promise<RunBreakdown> {
  const { view, column } = BREAKDOWN_SOURCES[by];
  const rows = (await db.query(
    `SELECT ${column} AS key, queries, slo_met, success_ratio, completed, dropped, errors, timed_out, p50_ms, p95_ms, p99_ms
       FROM ${view} WHERE run_id = $1 ORDER BY key NULLS LAST`,
    [runId],
  )) as OutcomeRow[];
  return {
    runId,
    by,
    groups: rows.map((r) => ({
      key: r.key,
      queries: r.queries,
      sloMet: r.slo_met,
      successRatio: r.success_ratio,
      completed: r.completed,
      drops: r.dropped,
      errors: r.errors,
      timedOut: r.timed_out,
      p50Ms: r.p50_ms,
      p95Ms: r.p95_ms,
      p99Ms: r.p99_ms,
    })),
  };
}

/**
 * Latency percentiles (`percentile_cont`, interpolated) of a run's completed measured queries per
 * policy. `percentiles` are in (0, 100); a policy with no completed query gets nulls.
 */
export async function runLatency(db: DataSource, runId: string, percentiles: readonly number[]): Promise<LatencyReport> {
  const rows = (await db.query(
    `SELECT policy,
            count(*) FILTER (WHERE status = 'completed')::int AS completed,
            avg(latency_ms) FILTER (WHERE status = 'completed') AS mean_ms,
            max(latency_ms) FILTER (WHERE status = 'completed') AS max_ms,
            percentile_cont($2::float8[]) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS values_ms
       FROM report_measured_queries
      WHERE run_id = $1
      GROUP BY policy
      ORDER BY policy`,
    [runId, percentiles.map((p) => p / 100)],
  )) as { policy: string; completed: number; mean_ms: number | null; max_ms: number | null; values_ms: number[] | null }[];
  return {
    runId,
    percentiles: [...percentiles],
    policies: rows.map((r) => ({
      policy: r.policy,
      completed: r.completed,
      meanMs: r.mean_ms,
      maxMs: r.max_ms,
      latencies: percentiles.map((percentile, i) => ({ percentile, ms: r.values_ms?.[i] ?? null })),
    })),
  };
}

/**
 * A run's measured queries per bucket of `created_at` (`date_bin`, buckets of `bucketMs` starting
 * at the run's origin) and policy: count, SLO met, success ratio and p95 latency of the completed ones.
 * Buckets without queries are absent.
 */
export async function runTimeseries(db: DataSource, runId: string, bucketMs: number): Promise<Timeseries> {
  const [origin] = (await db.query(RUN_ORIGIN, [runId])) as { t0: Date | null }[];
  const rows = (await db.query(
    `WITH origin AS (${RUN_ORIGIN})
     SELECT bucket_start, (extract(epoch FROM bucket_start - t0) * 1000)::float8 AS offset_ms, policy,
            count(*)::int AS queries,
            count(*) FILTER (WHERE slo_met)::int AS slo_met,
            (count(*) FILTER (WHERE slo_met))::float8 / count(*) AS success_ratio,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p95_ms
       FROM (SELECT m.policy, m.slo_met, m.status, m.latency_ms, o.t0,
                    date_bin(make_interval(secs => $2::float8 / 1000), m.created_at, o.t0) AS bucket_start
               FROM report_measured_queries m CROSS JOIN origin o
              WHERE m.run_id = $1) b
      GROUP BY bucket_start, t0, policy
      ORDER BY bucket_start, policy`,
    [runId, bucketMs],
  )) as { bucket_start: Date; offset_ms: number; policy: string; queries: number; slo_met: number; success_ratio: number; p95_ms: number | null }[];
  return {
    runId,
    bucketMs,
    origin: origin?.t0?.toISOString() ?? null,
    buckets: rows.map((r) => ({
      offsetMs: r.offset_ms,
      start: r.bucket_start.toISOString(),
      policy: r.policy,
      queries: r.queries,
      sloMet: r.slo_met,
      successRatio: r.success_ratio,
      p95Ms: r.p95_ms,
    })),
  };
}
