import type { DataSource } from 'typeorm';
import type { DecisionReport } from './report-responses.schema.js';

/** A run's aset step decisions in time order, and how many steps each static policy was chosen for (most chosen first). */
export async function runDecisions(db: DataSource, runId: string): Promise<DecisionReport> {
  const rows = (await db.query(
    `SELECT scheduler_id, step, step_ms, at, policy, chosen, observed_success_ratio
       FROM scheduling_decisions WHERE run_id = $1
      ORDER BY at, scheduler_id, step`,
    [runId],
  )) as { scheduler_id: string; step: number; step_ms: number; at: Date; policy: string; chosen: string; observed_success_ratio: number }[];
  const steps = new Map<string, number>();
  for (const r of rows) steps.set(r.chosen, (steps.get(r.chosen) ?? 0) + 1);
  return {
    runId,
    chosen: [...steps]
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([chosen, n]) => ({ chosen, steps: n, share: n / rows.length })),
    decisions: rows.map((r) => ({
      schedulerId: r.scheduler_id,
      step: r.step,
      at: r.at.toISOString(),
      stepMs: r.step_ms,
      policy: r.policy,
      chosen: r.chosen,
      observedSuccessRatio: r.observed_success_ratio,
    })),
  };
}
