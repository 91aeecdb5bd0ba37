import { describe, expect, it } from 'vitest';
import type { QueryRecord } from '@aset/contracts';
import { sampleQueryRecord } from '@aset/contracts/testing';
import { seededRandom } from '@aset/determinism';
import { percentile } from './latency.summary.js';
import { buildRunReport, mergeRunReports, RunReportBuilder, type RunReport } from './run.report.js';

const STATUSES = ['completed', 'completed', 'completed', 'dropped', 'error', 'timed_out'] as const;

/** A run's records over sources ap-1..ap-3: varied statuses, latencies, variants and predictions; the first 10 are warm-up. */
function runRecords(runId: string, n: number): QueryRecord[] {
  const random = seededRandom(11);
  return Array.from({ length: n }, (_, i) => {
    const status = STATUSES[Math.floor(random() * STATUSES.length)] as QueryRecord['status'];
    const completed = status === 'completed';
    // Latency depends on the source, so that the parts' distributions differ.
    const source = `ap-${1 + (i % 3)}`;
    const latencyMs = (1 + (i % 3) * 10) * (1 + random() * 5);
    return sampleQueryRecord({
      runId,
      queryId: `q${String(i).padStart(7, '0')}`,
      source,
      status,
      variantId: completed ? (random() < 0.5 ? 'digits-mlp-s' : 'digits-cnn-m') : null,
      latencyMs,
      sloMet: completed && latencyMs < 30,
      prediction: completed ? Math.floor(random() * 3) : null,
      label: 1,
      warmup: i < 10,
    });
  });
}

function reportOf(records: readonly QueryRecord[], part?: { id: string; sources: string[] }): RunReport {
  const measured = records.filter((r) => !r.warmup).length;
  return buildRunReport(
    { runId: records[0]!.runId, scenario: 'demo', queries: measured, warmupQueries: records.length - measured, recordsLost: part?.id === 'b' ? 2 : 0, ...(part ? { part: { ...part, count: 3 } } : {}) },
    records,
  );
}

describe('RunReportBuilder', () => {
  const records = runRecords('built-run', 3001);
  const run = { runId: 'built-run', scenario: 'demo', queries: 2991, warmupQueries: 10, recordsLost: 0 };

  it('counts each record as it ends into what the records give: summary, accuracy by variant, sorted latencies', () => {
    const builder = new RunReportBuilder();
    for (const r of records) builder.add(r);
    const report = builder.build(run);
    const measured = records.filter((r) => !r.warmup);
    const completed = measured.filter((r) => r.status === 'completed');
    const sorted = completed.map((r) => r.latencyMs).sort((a, b) => a - b);
    const count = (status: QueryRecord['status']) => measured.filter((r) => r.status === status).length;
    expect(report.summary).toEqual({
      queries: measured.length,
      completed: completed.length,
      sloMet: measured.filter((r) => r.sloMet).length,
      dropped: count('dropped'),
      errors: count('error'),
      timedOut: count('timed_out'),
      successRatio: measured.filter((r) => r.sloMet).length / measured.length,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      p99Ms: percentile(sorted, 0.99),
    });
    expect(report.completedLatenciesMs).toEqual(completed.map((r) => r.latencyMs).sort((a, b) => a - b));
    expect(report.byVariant['digits-mlp-s']).toEqual({
      completed: completed.filter((r) => r.variantId === 'digits-mlp-s').length,
      correct: completed.filter((r) => r.variantId === 'digits-mlp-s' && r.prediction === r.label).length,
    });
    expect(report.predictionAccuracy).toBeCloseTo(completed.filter((r) => r.prediction === r.label).length / completed.length, 12);
    expect(report).toEqual(buildRunReport(run, records));
  });

  it('builds again after more records, and earlier reports do not change', () => {
    const builder = new RunReportBuilder();
    for (const r of records.slice(0, 1000)) builder.add(r);
    const early = builder.build(run);
    const earlyCopy = structuredClone(early);
    for (const r of records.slice(1000)) builder.add(r);
    expect(builder.build(run)).toEqual(buildRunReport(run, records));
    expect(early).toEqual(earlyCopy);
    expect(early.summary.queries).toBe(990);
  });
});

describe('mergeRunReports', () => {
  const records = runRecords('split-run', 601);
  const whole = reportOf(records);
  const parts = [
    reportOf(records.filter((r) => r.source === 'ap-1'), { id: 'a', sources: ['ap-1'] }),
    reportOf(records.filter((r) => r.source === 'ap-2'), { id: 'b', sources: ['ap-2'] }),
    reportOf(records.filter((r) => r.source === 'ap-3'), { id: 'c', sources: ['ap-3'] }),
  ];

  it('gives the report of all the parts\' records: counts, accuracy and exact percentiles', () => {
    const merged = mergeRunReports(parts);
    expect(merged).toEqual({ ...whole, recordsLost: 2 });
    expect(merged.part).toBeUndefined();
    // The percentiles are not any combination of the parts' percentiles (which differ widely by source).
    const partP95s = parts.map((p) => p.summary.p95Ms);
    expect(partP95s).not.toContain(merged.summary.p95Ms);
    expect(merged.summary.p95Ms).not.toBeCloseTo(partP95s.reduce((a, b) => a + b, 0) / partP95s.length, 3);
    // In any order, and from the reports as SUMMARY_FILE holds them (JSON: an empty part's NaN percentiles are null).
    const fromFiles = [...parts].reverse().map((p) => JSON.parse(JSON.stringify(p)) as RunReport);
    expect(mergeRunReports(fromFiles)).toEqual(merged);
  });

  it('merges parts without completed queries', () => {
    const failed = records.filter((r) => r.source === 'ap-2').map((r) => ({ ...r, status: 'dropped' as const, variantId: null, prediction: null, sloMet: false }));
    const empty = reportOf(failed, { id: 'b', sources: ['ap-2'] });
    expect(empty.summary.p50Ms).toBeNaN();
    const merged = mergeRunReports([parts[0]!, JSON.parse(JSON.stringify(empty)) as RunReport]);
    expect(merged.summary).toEqual(reportOf([...records.filter((r) => r.source === 'ap-1'), ...failed]).summary);
    expect(merged.summary.p50Ms).toBe(parts[0]!.summary.p50Ms);
  });

  it('returns a single report unchanged but for its part', () => {
    expect(mergeRunReports([whole])).toEqual(whole);
    const { part: _, ...withoutPart } = parts[0]!;
    expect(mergeRunReports([parts[0]!])).toEqual(withoutPart);
  });

  it('refuses reports of different runs or scenarios, a whole run among parts, a part twice, or none', () => {
    const other = reportOf(runRecords('other-run', 30), { id: 'b', sources: ['ap-2'] });
    expect(() => mergeRunReports([parts[0]!, other])).toThrow(/different runs \(split-run, other-run\)/);
    expect(() => mergeRunReports([parts[0]!, { ...parts[1]!, scenario: 'isp' }])).toThrow(/different scenarios \(demo, isp\)/);
    expect(() => mergeRunReports([parts[0]!, whole])).toThrow(/1 of the reports of run split-run cover the whole run/);
    expect(() => mergeRunReports([parts[0]!, parts[1]!, parts[0]!])).toThrow(/part a of run split-run is given twice/);
    expect(() => mergeRunReports([])).toThrow(/no reports/);
    expect(() => mergeRunReports([parts[0]!, { ...parts[1]!, completedLatenciesMs: [] }])).toThrow(/latencies for \d+ completed queries/);
  });
});
