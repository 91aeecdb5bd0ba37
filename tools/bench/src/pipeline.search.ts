import type { RunReport } from '@aset/workload';
import { median } from './bench.stats.js';

/** One run of the pipeline bench at one offered rate, and whether it passed. */
export interface PipelineRun {
  ratePerSec: number;
  /** Measured and warm-up queries sent. */
  queriesSent: number;
  p50Ms: number;
  p99Ms: number;
  /** Mean latency of the completed measured queries, ms. */
  meanMs: number;
  timedOut: number;
  dropped: number;
  errors: number;
  /** Queries sent with no record in PostgreSQL (undefined: the records did not all arrive in time). */
  lost: number | undefined;
  pass: boolean;
  failures: string[];
  /** CPU time of each service process over the run, ms. */
  serviceCpuMs: Record<string, number>;
}

/**
 * Judges one run: it passes when every measured query completed, every query sent (warm-up
 * included) has its record, no record failed to publish, and the p99 latency is within the bound.
 */
export function judgePipelineRun(input: {
  ratePerSec: number;
  report: Pick<RunReport, 'queries' | 'warmupQueries' | 'recordsLost' | 'summary' | 'completedLatenciesMs'> & { host: { serviceCpuMs: Record<string, number> } };
  /** Query records of the run in PostgreSQL, warm-up included; undefined when they did not all arrive. */
  storedRecords: number | undefined;
  p99BoundMs: number;
}): PipelineRun {
  const { report } = input;
  const s = report.summary;
  const queriesSent = report.queries + report.warmupQueries;
  const lost = input.storedRecords === undefined ? undefined : queriesSent - input.storedRecords;
  const latencies = report.completedLatenciesMs;
  const meanMs = latencies.length === 0 ? 0 : latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const failures: string[] = [];
  if (s.completed < s.queries) failures.push(`${s.queries - s.completed} of ${s.queries} not completed (${s.timedOut} timed out, ${s.dropped} dropped, ${s.errors} errors)`);
  if (lost === undefined) failures.push('the records did not all reach PostgreSQL in time');
  else if (lost > 0) failures.push(`${lost} queries without a record`);
  if (report.recordsLost > 0) failures.push(`${report.recordsLost} records not published`);
  if (!(s.p99Ms <= input.p99BoundMs)) failures.push(`p99 ${s.p99Ms.toFixed(1)} ms over ${input.p99BoundMs} ms`);
  return {
    ratePerSec: input.ratePerSec,
    queriesSent,
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    meanMs,
    timedOut: s.timedOut,
    dropped: s.dropped,
    errors: s.errors,
    lost,
    pass: failures.length === 0,
    failures,
    serviceCpuMs: report.host.serviceCpuMs,
  };
}

/**
 * The next rate to try after `runs` (in the order run), or undefined when the search is over: double
 * the rate while every run passed (up to `maxRate`); once one failed, halve the gap between the
 * highest passing rate and the lowest failing one, `bisect` times (rates rounded to whole queries/s).
 */
export function nextRate(runs: readonly Pick<PipelineRun, 'ratePerSec' | 'pass'>[], options: { maxRate: number; bisect: number }): number | undefined {
  const last = runs[runs.length - 1];
  if (!last) return undefined;
  const failed = runs.filter((r) => !r.pass);
  if (failed.length === 0) return last.ratePerSec >= options.maxRate ? undefined : Math.min(options.maxRate, last.ratePerSec * 2);
  const firstFailure = runs.indexOf(failed[0] as (typeof runs)[number]);
  if (runs.length - 1 - firstFailure >= options.bisect) return undefined;
  const low = Math.max(0, ...runs.filter((r) => r.pass).map((r) => r.ratePerSec));
  const high = Math.min(...failed.map((r) => r.ratePerSec));
  const middle = Math.round((low + high) / 2);
  return middle <= low || middle >= high ? undefined : middle;
}

/** The passing run of the highest rate, or undefined when none passed. */
export function highestPassing<R extends Pick<PipelineRun, 'ratePerSec' | 'pass'>>(runs: readonly R[]): R | undefined {
  return runs.filter((r) => r.pass).sort((a, b) => b.ratePerSec - a.ratePerSec)[0];
}

/**
 * CPU time of each service process over a run, per query sent, µs (0.1 µs); the generators of a
 * run count as one service, `workload-generator`.
 */
export function cpuUsPerQuery(run: Pick<PipelineRun, 'serviceCpuMs' | 'queriesSent'>): Record<string, number> {
  const perQuery: Record<string, number> = {};
  for (const [service, ms] of Object.entries(run.serviceCpuMs)) {
    const name = service.startsWith('workload-generator') ? 'workload-generator' : service;
    perQuery[name] = (perQuery[name] ?? 0) + (ms * 1000) / run.queriesSent;
  }
  for (const name of Object.keys(perQuery)) perQuery[name] = Math.round((perQuery[name] as number) * 10) / 10;
  return perQuery;
}

/** Per service, the median over `runs` of {@link cpuUsPerQuery} (of the runs where the service was measured). */
export function medianCpuUsPerQuery(runs: readonly Pick<PipelineRun, 'serviceCpuMs' | 'queriesSent'>[]): Record<string, number> {
  return medianOfEach(runs.map(cpuUsPerQuery));
}

/** Per key, the median (0.1) of its values over `samples`, of the samples that have it. */
export function medianOfEach(samples: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const values = new Map<string, number[]>();
  for (const sample of samples) for (const [name, v] of Object.entries(sample)) values.set(name, [...(values.get(name) ?? []), v]);
  return Object.fromEntries([...values].map(([name, vs]) => [name, Math.round(median(vs) * 10) / 10]));
}
