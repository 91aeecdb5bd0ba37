import type { QueryRecord } from '@aset/contracts';
import { summarizeOutcomes, type OutcomeSummary } from './latency.summary.js';

/** What the workload generator reports at the end of a run (also written to SUMMARY_FILE as JSON). */
export interface RunReport {
  runId: string;
  scenario: string;
  queries: number;
  warmupQueries: number;
  /** Records that could not be published to JetStream after retries (should be 0). */
  recordsLost: number;
  /** Measured queries whose prediction matched the label, over measured completed queries. */
  predictionAccuracy: number;
  summary: OutcomeSummary;
  /** Per variant: completed measured queries and how many predictions matched the label. */
  byVariant: Record<string, { completed: number; correct: number }>;
}

/** The report of a run from its query records (warm-up records are left out of every figure). */
export function buildRunReport(run: { runId: string; scenario: string; queries: number; warmupQueries: number; recordsLost: number }, records: readonly QueryRecord[]): RunReport {
  const kept = records.filter((r) => !r.warmup);
  const byVariant: RunReport['byVariant'] = {};
  let correct = 0;
  let completed = 0;
  for (const r of kept) {
    if (r.status !== 'completed' || r.variantId === null) continue;
    const v = (byVariant[r.variantId] ??= { completed: 0, correct: 0 });
    v.completed++;
    completed++;
    if (r.prediction === r.label) {
      v.correct++;
      correct++;
    }
  }
  return {
    runId: run.runId,
    scenario: run.scenario,
    queries: run.queries,
    warmupQueries: run.warmupQueries,
    recordsLost: run.recordsLost,
    predictionAccuracy: completed ? correct / completed : 0,
    summary: summarizeOutcomes(kept),
    byVariant,
  };
}
