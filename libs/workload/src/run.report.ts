import type { QueryRecord, RunPart } from '@aset/contracts';
import { outcomeSummaryOf, type OutcomeCounts, type OutcomeSummary } from './latency.summary.js';

/**
 * What the workload generator reports at the end of a run (also written to SUMMARY_FILE as JSON).
 * A generator that emits one part of a split run reports that part's queries only;
 * {@link mergeRunReports} combines the parts' reports into the run's.
 */
export interface RunReport {
  runId: string;
  scenario: string;
  /** Measured queries sent. */
  queries: number;
  /** Warm-up queries sent. */
  warmupQueries: number;
  /** Records that could not be published to JetStream after retries (should be 0). */
  recordsLost: number;
  /** Measured queries whose prediction matched the label, over measured completed queries. */
  predictionAccuracy: number;
  summary: OutcomeSummary;
  /** Per variant: completed measured queries and how many predictions matched the label. */
  byVariant: Record<string, { completed: number; correct: number }>;
  /** The part of a split run this report covers; absent for a whole run. */
  part?: RunPart;
  /**
   * Latencies of the measured completed queries, ms, ascending: what makes the summary's percentiles
   * mergeable exactly across parts (a percentile cannot be derived from other groups' percentiles).
   */
  completedLatenciesMs: number[];
}

/** The report of a run (or of a part) from its query records (warm-up records are left out of every figure). */
export function buildRunReport(
  run: { runId: string; scenario: string; queries: number; warmupQueries: number; recordsLost: number; part?: RunPart },
  records: readonly QueryRecord[],
): RunReport {
  const builder = new RunReportBuilder();
  for (const r of records) builder.add(r);
  return builder.build(run);
}

/** What {@link RunReportBuilder} reads of a query record. */
export type ReportedRecord = Pick<QueryRecord, 'warmup' | 'status' | 'sloMet' | 'latencyMs' | 'variantId' | 'prediction' | 'label'>;

/**
 * A run's report built one record at a time, as the records end: it keeps counts and the measured
 * completed queries' latencies (8 bytes each), not the records, so a generator's memory does not
 * grow with its run by a record per query. `build` gives what {@link buildRunReport} gives over the
 * same records, and may be called again after more are added.
 */
export class RunReportBuilder {
  private readonly counts: OutcomeCounts = { queries: 0, completed: 0, sloMet: 0, dropped: 0, errors: 0, timedOut: 0 };
  private readonly byVariant: RunReport['byVariant'] = {};
  private correct = 0;
  private latencies = new Float64Array(1024);

  /** Counts `r` unless it is a warm-up record. */
  add(r: ReportedRecord): void {
    if (r.warmup) return;
    const c = this.counts;
    c.queries++;
    if (r.sloMet) c.sloMet++;
    switch (r.status) {
      case 'completed':
        if (c.completed === this.latencies.length) {
          const grown = new Float64Array(this.latencies.length * 2);
          grown.set(this.latencies);
          this.latencies = grown;
        }
        this.latencies[c.completed++] = r.latencyMs;
        if (r.variantId !== null) {
          const v = (this.byVariant[r.variantId] ??= { completed: 0, correct: 0 });
          v.completed++;
          if (r.prediction === r.label) {
            v.correct++;
            this.correct++;
          }
        }
        break;
      case 'dropped':
        c.dropped++;
        break;
      case 'error':
        c.errors++;
        break;
      case 'timed_out':
        c.timedOut++;
        break;
    }
  }

  build(run: { runId: string; scenario: string; queries: number; warmupQueries: number; recordsLost: number; part?: RunPart }): RunReport {
    const sorted = this.latencies.slice(0, this.counts.completed).sort();
    let completedWithVariant = 0;
    for (const v of Object.values(this.byVariant)) completedWithVariant += v.completed;
    return {
      runId: run.runId,
      scenario: run.scenario,
      queries: run.queries,
      warmupQueries: run.warmupQueries,
      recordsLost: run.recordsLost,
      predictionAccuracy: completedWithVariant ? this.correct / completedWithVariant : 0,
      summary: outcomeSummaryOf({ ...this.counts }, sorted),
      byVariant: structuredClone(this.byVariant),
      ...(run.part ? { part: run.part } : {}),
      completedLatenciesMs: Array.from(sorted),
    };
  }
}

/**
 * The report of a run split over several generators, from its parts' reports: counts add up, the
 * prediction accuracy is recomputed from the summed per-variant counts, and the latency percentiles
 * from the parts' latencies, so the result equals what {@link buildRunReport} gives over all the
 * parts' records. Covers the parts given (the result has no `part`). Throws when the reports belong
 * to different runs or scenarios, when one is a whole run's (no `part`) among others, or when a part
 * comes twice.
 */
export function mergeRunReports(reports: readonly RunReport[]): RunReport {
  const [first] = reports;
  if (!first) throw new RangeError('mergeRunReports: no reports to merge');
  const runIds = [...new Set(reports.map((r) => r.runId))];
  if (runIds.length > 1) throw new RangeError(`mergeRunReports: the reports belong to different runs (${runIds.join(', ')}); merge the parts of one run`);
  const scenarios = [...new Set(reports.map((r) => r.scenario))];
  if (scenarios.length > 1) throw new RangeError(`mergeRunReports: the reports of run ${first.runId} name different scenarios (${scenarios.join(', ')})`);
  if (reports.length > 1) {
    const whole = reports.filter((r) => r.part === undefined).length;
    if (whole > 0) throw new RangeError(`mergeRunReports: ${whole} of the reports of run ${first.runId} cover the whole run (no part); only the parts of a split run can be merged`);
    const seen = new Set<string>();
    for (const r of reports) {
      const id = (r.part as RunPart).id;
      if (seen.has(id)) throw new RangeError(`mergeRunReports: part ${id} of run ${first.runId} is given twice`);
      seen.add(id);
    }
  }

  const sum = (f: (r: RunReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const byVariant: RunReport['byVariant'] = {};
  for (const r of reports) {
    for (const [variant, v] of Object.entries(r.byVariant)) {
      const m = (byVariant[variant] ??= { completed: 0, correct: 0 });
      m.completed += v.completed;
      m.correct += v.correct;
    }
  }
  const completed = Object.values(byVariant).reduce((n, v) => n + v.completed, 0);
  const correct = Object.values(byVariant).reduce((n, v) => n + v.correct, 0);
  const latencies = Float64Array.from(reports.flatMap((r) => r.completedLatenciesMs)).sort();
  const counts = {
    queries: sum((r) => r.summary.queries),
    completed: sum((r) => r.summary.completed),
    sloMet: sum((r) => r.summary.sloMet),
    dropped: sum((r) => r.summary.dropped),
    errors: sum((r) => r.summary.errors),
    timedOut: sum((r) => r.summary.timedOut),
  };
  if (latencies.length !== counts.completed) {
    throw new RangeError(`mergeRunReports: the reports of run ${first.runId} hold ${latencies.length} latencies for ${counts.completed} completed queries`);
  }
  return {
    runId: first.runId,
    scenario: first.scenario,
    queries: sum((r) => r.queries),
    warmupQueries: sum((r) => r.warmupQueries),
    recordsLost: sum((r) => r.recordsLost),
    predictionAccuracy: completed ? correct / completed : 0,
    summary: outcomeSummaryOf(counts, latencies),
    byVariant,
    completedLatenciesMs: Array.from(latencies),
  };
}
