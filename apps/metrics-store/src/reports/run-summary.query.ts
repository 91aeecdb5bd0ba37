import type { RunSummary } from '@aset/contracts';
import type { DataSource } from 'typeorm';

/** Per-policy summary of a run's measured (non-warm-up) queries, computed in SQL. Null when the run is unknown. */
export async function runSummary(db: DataSource, runId: string): Promise<RunSummary | null> {
  const [run] = (await db.query(
    `SELECT r.run_id, r.scenario, r.started_at, r.finished_at, r.query_count,
            (SELECT count(*)::int FROM queries q WHERE q.run_id = r.run_id) AS stored
       FROM runs r WHERE r.run_id = $1`,
    [runId],
  )) as { run_id: string; scenario: string | null; started_at: Date | null; finished_at: Date | null; query_count: number | null; stored: number }[];
  if (!run) return null;
  const rows = (await db.query(
    `SELECT COALESCE(q.policy, r.policy, 'unknown') AS policy,
            count(*)::int AS queries,
            count(*) FILTER (WHERE q.slo_met)::int AS slo_met,
            (count(*) FILTER (WHERE q.slo_met))::float8 / count(*) AS success_ratio,
            count(*) FILTER (WHERE q.status = 'completed')::int AS completed,
            count(*) FILTER (WHERE q.status = 'dropped')::int AS drops,
            count(*) FILTER (WHERE q.status = 'error')::int AS errors,
            count(*) FILTER (WHERE q.status = 'timed_out')::int AS timed_out,
            percentile_cont(0.50) WITHIN GROUP (ORDER BY q.latency_ms) FILTER (WHERE q.status = 'completed') AS p50_ms,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY q.latency_ms) FILTER (WHERE q.status = 'completed') AS p95_ms,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY q.latency_ms) FILTER (WHERE q.status = 'completed') AS p99_ms
       FROM queries q LEFT JOIN runs r ON r.run_id = q.run_id
      WHERE q.run_id = $1 AND NOT q.warmup
      GROUP BY 1
      ORDER BY 1`,
    [runId],
  )) as Record<string, unknown>[];
  return {
    runId: run.run_id,
    scenario: run.scenario,
    startedAt: run.started_at?.toISOString() ?? null,
    finishedAt: run.finished_at?.toISOString() ?? null,
    expectedQueries: run.query_count,
    storedQueries: run.stored,
    complete: run.finished_at !== null && run.query_count !== null && run.stored >= run.query_count,
    policies: rows.map((r) => ({
      policy: r['policy'] as string,
      queries: r['queries'] as number,
      sloMet: r['slo_met'] as number,
      successRatio: r['success_ratio'] as number,
      completed: r['completed'] as number,
      drops: r['drops'] as number,
      errors: r['errors'] as number,
      timedOut: r['timed_out'] as number,
      p50Ms: r['p50_ms'] as number | null,
      p95Ms: r['p95_ms'] as number | null,
      p99Ms: r['p99_ms'] as number | null,
    })),
  };
}
