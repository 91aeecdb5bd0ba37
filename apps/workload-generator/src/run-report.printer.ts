import type { RunReport } from '@aset/workload';

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : '-');

/** Prints the generator's own end-of-run summary (measured queries only). */
export function printRunReport(r: RunReport): void {
  const s = r.summary;
  const lines = [
    `run ${r.runId} (scenario ${r.scenario}): ${s.queries} measured queries after ${r.warmupQueries} warm-up`,
    `  success ratio (SLO met) ${(s.successRatio * 100).toFixed(1)}%   completed ${s.completed}   dropped ${s.dropped}   errors ${s.errors}   timed out ${s.timedOut}`,
    `  latency p50 ${ms(s.p50Ms)}   p95 ${ms(s.p95Ms)}   p99 ${ms(s.p99Ms)}`,
    `  prediction accuracy ${(r.predictionAccuracy * 100).toFixed(1)}%   records lost ${r.recordsLost}`,
  ];
  console.log(lines.join('\n'));
}
