import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestSchema, LatencyCdfSchema, LatencyReportSchema, NotFoundSchema } from '../src/reporting/report-responses.schema.js';
import { startStore, type StoreHarness } from './metrics-store.harness.js';
import { publishQueries, publishRunStarted, waitForCount, type SyntheticQuery } from './run-records.fixture.js';

/** closest completes 10, 20, 30, 40 ms (and drops one); random completes 5 and 15 ms; cloud completes none. */
const QUERIES: SyntheticQuery[] = [
  { queryId: 'w1', policy: 'closest', status: 'completed', createdMs: 10, latencyMs: 1000, sloMet: false, warmup: true },
  { queryId: 'q1', policy: 'closest', status: 'completed', createdMs: 100, latencyMs: 40, sloMet: false },
  { queryId: 'q2', policy: 'closest', status: 'completed', createdMs: 200, latencyMs: 10, sloMet: true },
  { queryId: 'q3', policy: 'closest', status: 'completed', createdMs: 300, latencyMs: 30, sloMet: true },
  { queryId: 'q4', policy: 'closest', status: 'completed', createdMs: 400, latencyMs: 20, sloMet: true },
  { queryId: 'q5', policy: 'closest', status: 'dropped', createdMs: 500, latencyMs: 0.5, sloMet: false },
  { queryId: 'q6', policy: 'random', status: 'completed', createdMs: 600, latencyMs: 15, sloMet: true },
  { queryId: 'q7', policy: 'random', status: 'completed', createdMs: 700, latencyMs: 5, sloMet: true },
  { queryId: 'q8', policy: 'random', status: 'timed_out', createdMs: 800, latencyMs: 100, sloMet: false },
  { queryId: 'q9', policy: 'cloud', status: 'dropped', createdMs: 900, latencyMs: 0.5, sloMet: false },
];

/** Numbers rounded to 9 decimals, so that float results compare with hand-computed ones. */
const rounded = <T>(value: T): T => JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)) as T;

describe('GET /runs/:runId/latency-cdf (in-process store, a synthetic run through JetStream into PostgreSQL)', () => {
  let store: StoreHarness;
  const get = async (path: string) => {
    const res = await fetch(`${store.base}${path}`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    store = await startStore('cdf');
    await publishRunStarted(store.bus, 'cdf-1', { policy: 'closest', startedMs: 0 });
    await publishQueries(store.bus, 'cdf-1', QUERIES);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM queries WHERE run_id = 'cdf-1'`, QUERIES.length);
  });

  afterAll(async () => {
    await store?.close();
  });

  it('gives the latency quantiles of completed measured queries per policy at evenly spaced fractions', async () => {
    const res = await get('/runs/cdf-1/latency-cdf?points=5');
    expect(res.status).toBe(200);
    const fractions = [0, 0.25, 0.5, 0.75, 1];
    const points = (ms: number[]) => ms.map((v, i) => ({ fraction: fractions[i], ms: v }));
    expect(rounded(LatencyCdfSchema.parse(res.body))).toEqual({
      runId: 'cdf-1',
      fractions,
      policies: [
        { policy: 'closest', completed: 4, points: points([10, 17.5, 25, 32.5, 40]) },
        { policy: 'cloud', completed: 0, points: [] },
        { policy: 'random', completed: 2, points: points([5, 7.5, 10, 12.5, 15]) },
      ],
    });
  });

  it('defaults to 101 points, from the fastest to the slowest query, agreeing with /latency', async () => {
    const cdf = LatencyCdfSchema.parse((await get('/runs/cdf-1/latency-cdf')).body);
    expect(cdf.fractions).toHaveLength(101);
    expect(cdf.fractions[0]).toBe(0);
    expect(cdf.fractions[100]).toBe(1);
    const closest = cdf.policies.find((p) => p.policy === 'closest')!;
    const ms = closest.points.map((p) => p.ms);
    expect(ms).toEqual([...ms].sort((a, b) => a - b));
    const latency = LatencyReportSchema.parse((await get('/runs/cdf-1/latency?percentiles=50,90')).body);
    const percentiles = latency.policies.find((p) => p.policy === 'closest')!.latencies.map((l) => l.ms);
    expect(rounded([closest.points[50]!.ms, closest.points[90]!.ms])).toEqual(rounded(percentiles));
  });

  it('answers 404 for an unknown run and 400 naming the parameter for bad values', async () => {
    const missing = await get('/runs/nope/latency-cdf');
    expect(missing.status).toBe(404);
    expect(NotFoundSchema.parse(missing.body).message).toBe('run "nope" is not in the metrics store');
    const cases: [path: string, parameter: string][] = [
      ['/runs/cdf-1/latency-cdf?points=1', 'points'],
      ['/runs/cdf-1/latency-cdf?points=1002', 'points'],
      ['/runs/cdf-1/latency-cdf?points=2.5', 'points'],
      ['/runs/cdf-1/latency-cdf?points=', 'points'],
      ['/runs/cdf-1/latency-cdf?points=1e400', 'points'],
      ['/runs/cdf-1/latency-cdf?points=abc', 'points'],
      ['/runs/cdf-1/latency-cdf?points=5&points=6', 'points'],
      [`/runs/cdf-1/latency-cdf?points=${encodeURIComponent("5' OR 1=1 --")}`, 'points'],
      ['/runs/cdf-1/latency-cdf?point=5', 'point'],
      [`/runs/${encodeURIComponent("x'); DELETE FROM runs; --")}/latency-cdf`, 'runId'],
    ];
    for (const [path, parameter] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(BadRequestSchema.parse(res.body).message, path).toContain(parameter);
    }
    expect(Number((await store.sql.query(`SELECT count(*) AS n FROM runs`)).rows[0].n)).toBe(1);
  });
});
