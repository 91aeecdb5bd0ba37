import { describe, expect, it } from 'vitest';
import { cpuUsPerQuery, highestPassing, judgePipelineRun, medianCpuUsPerQuery, medianOfEach, nextRate } from './pipeline.search.js';

const summary = { queries: 2000, completed: 2000, sloMet: 2000, dropped: 0, errors: 0, timedOut: 0, successRatio: 1, p50Ms: 3, p95Ms: 8, p99Ms: 20 };
const report = (over: Partial<typeof summary> = {}, recordsLost = 0) => ({
  queries: 2000,
  warmupQueries: 200,
  recordsLost,
  summary: { ...summary, ...over },
  completedLatenciesMs: [2, 3, 4],
  host: { serviceCpuMs: { scheduler: 900 } },
});

describe('judgePipelineRun', () => {
  it('passes a run whose queries all completed and were stored, within the p99 bound', () => {
    const run = judgePipelineRun({ ratePerSec: 500, report: report(), storedRecords: 2200, p99BoundMs: 50 });
    expect(run).toMatchObject({ pass: true, failures: [], queriesSent: 2200, lost: 0, meanMs: 3, serviceCpuMs: { scheduler: 900 } });
  });

  it('fails on each of: a timed-out query, a lost record, an unpublished record, a p99 over the bound', () => {
    const run = judgePipelineRun({ ratePerSec: 500, report: report({ completed: 1999, timedOut: 1, p99Ms: 50.5 }, 2), storedRecords: 2199, p99BoundMs: 50 });
    expect(run.pass).toBe(false);
    expect(run.failures).toEqual(['1 of 2000 not completed (1 timed out, 0 dropped, 0 errors)', '1 queries without a record', '2 records not published', 'p99 50.5 ms over 50 ms']);
    expect(judgePipelineRun({ ratePerSec: 500, report: report(), storedRecords: undefined, p99BoundMs: 50 }).failures).toEqual(['the records did not all reach PostgreSQL in time']);
  });
});

describe('nextRate', () => {
  const opts = { maxRate: 10_000, bisect: 2 };
  it('doubles while every run passes, up to the highest rate', () => {
    expect(nextRate([{ ratePerSec: 250, pass: true }], opts)).toBe(500);
    expect(nextRate([{ ratePerSec: 8000, pass: true }], opts)).toBe(10_000);
    expect(nextRate([{ ratePerSec: 10_000, pass: true }], opts)).toBeUndefined();
  });

  it('then halves the gap between the last pass and the first failure, `bisect` times', () => {
    const runs = [
      { ratePerSec: 1000, pass: true },
      { ratePerSec: 2000, pass: false },
    ];
    expect(nextRate(runs, opts)).toBe(1500);
    expect(nextRate([...runs, { ratePerSec: 1500, pass: true }], opts)).toBe(1750);
    expect(nextRate([...runs, { ratePerSec: 1500, pass: false }], opts)).toBe(1250);
    expect(nextRate([...runs, { ratePerSec: 1500, pass: true }, { ratePerSec: 1750, pass: false }], opts)).toBeUndefined();
  });

  it('bisects towards zero when the first rate fails; with no run there is nothing to go on', () => {
    expect(nextRate([{ ratePerSec: 250, pass: false }], opts)).toBe(125);
    expect(nextRate([], opts)).toBeUndefined();
  });
});

describe('highestPassing', () => {
  it('picks the passing run of the highest rate, whatever the order run, and none when none passed', () => {
    const runs = [
      { ratePerSec: 1000, pass: true },
      { ratePerSec: 4000, pass: false },
      { ratePerSec: 3000, pass: true },
      { ratePerSec: 3500, pass: false },
    ];
    expect(highestPassing(runs)).toBe(runs[2]);
    expect(highestPassing([{ ratePerSec: 250, pass: false }])).toBeUndefined();
  });
});

describe('cpuUsPerQuery', () => {
  it("gives each service's CPU per query sent in µs, the generators of a run counted as one", () => {
    const run = { queriesSent: 4000, serviceCpuMs: { scheduler: 200, 'workload-generator run-1 site-a': 600, 'workload-generator run-1 site-b': 400 } };
    expect(cpuUsPerQuery(run)).toEqual({ scheduler: 50, 'workload-generator': 250 });
  });

  it('takes the median per service over repeated runs', () => {
    const runs = [100, 300, 200].map((ms) => ({ queriesSent: 1000, serviceCpuMs: { scheduler: ms, 'workload-generator r': ms * 2 } }));
    expect(medianCpuUsPerQuery(runs)).toEqual({ scheduler: 200, 'workload-generator': 400 });
  });

  it('takes the median of each key over the samples that have it (a floor run without a nats-server figure)', () => {
    const samples: Record<string, number>[] = [{ generator: 10, 'nats-server': 30 }, { generator: 30 }, { generator: 20.04, 'nats-server': 50 }];
    expect(medianOfEach(samples)).toEqual({ generator: 20, 'nats-server': 40 });
  });
});
