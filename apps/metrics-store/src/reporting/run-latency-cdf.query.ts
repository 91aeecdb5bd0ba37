import type { DataSource } from 'typeorm';
import type { LatencyCdf } from './report-responses.schema.js';

/**
 * The latency CDF of a run's completed measured queries per policy, as quantiles at `fractions`
 * (each in [0, 1]; 0 is the fastest query, 1 the slowest), computed in one `percentile_cont` over
 * the array of fractions. A policy with measured queries but none completed gets no points.
 */
export async function runLatencyCdf(db: DataSource, runId: string, fractions: readonly number[]): Promise<LatencyCdf> {
  const rows = (await db.query(
    `SELECT policy,
            count(*) FILTER (WHERE status = 'completed')::int AS completed,
            percentile_cont($2::float8[]) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS values_ms
       FROM report_measured_queries
      WHERE run_id = $1
      GROUP BY policy
      ORDER BY policy`,
    [runId, fractions],
  )) as { policy: string; completed: number; values_ms: number[] | null }[];
  return {
    runId,
    fractions: [...fractions],
    policies: rows.map(({ policy, completed, values_ms: values }) => ({
      policy,
      completed,
      points: values ? fractions.map((fraction, i) => ({ fraction, ms: values[i] as number })) : [],
    })),
  };
}
