import type { OutcomeSummary } from './latency.summary.js';

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
