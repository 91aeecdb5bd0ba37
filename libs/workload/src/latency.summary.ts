/** Percentile of sorted values, interpolating linearly between closest ranks, as PostgreSQL's percentile_cont does. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export interface OutcomeSummary {
  queries: number;
  completed: number;
  sloMet: number;
  dropped: number;
  errors: number;
  timedOut: number;
  successRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Summarises measured (non-warm-up) outcomes. Latency percentiles are over completed queries. */
export function summarizeOutcomes(records: readonly { status: string; sloMet: boolean; latencyMs: number }[]): OutcomeSummary {
  const latencies = Float64Array.from(records.filter((r) => r.status === 'completed').map((r) => r.latencyMs)).sort();
  const count = (s: string) => records.filter((r) => r.status === s).length;
  const sloMet = records.filter((r) => r.sloMet).length;
  return {
    queries: records.length,
    completed: count('completed'),
    sloMet,
    dropped: count('dropped'),
    errors: count('error'),
    timedOut: count('timed_out'),
    successRatio: records.length ? sloMet / records.length : 0,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}
