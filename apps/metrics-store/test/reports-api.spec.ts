import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DataSource } from 'typeorm';
import { RunSummarySchema, type ClusterHeartbeat, type QueryRecord } from '@aset/contracts';
import {
  BadRequestSchema,
  ClusterUtilisationSchema,
  DecisionReportSchema,
  LatencyReportSchema,
  NotFoundSchema,
  RunBreakdownSchema,
  RunListSchema,
  TimeseriesSchema,
} from '../src/reporting/report-responses.schema.js';
import { writeDecisions } from '@aset/ingestion';
import { startStore, type StoreHarness } from './metrics-store.harness.js';
import { queryRecord as syntheticRecord } from './run-records.fixture.js';

/** Start of the synthetic run; every time below is an offset from it, ms. */
const T0 = 1_764_000_000_000;
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

/** The run's measured queries: numbers small enough to compute every expected figure by hand. */
const MEASURED: [n: number, policy: string | null, app: string, cluster: string | null, status: QueryRecord['status'], createdMs: number, latencyMs: number, sloMet: boolean][] = [
  [1, 'closest', 'a1', 'c1', 'completed', 1000, 10, true],
  [2, 'closest', 'a1', 'c1', 'completed', 1200, 20, true],
  [3, 'closest', 'a2', 'c2', 'completed', 1500, 30, true],
  [4, 'closest', 'a2', 'c2', 'completed', 1900, 40, false],
  [5, 'closest', 'a1', null, 'dropped', 2100, 0.5, false],
  [6, null, 'a1', 'c1', 'completed', 2500, 50, false],
  [7, 'closest', 'a2', 'c2', 'error', 2600, 5, false],
  [8, 'random', 'a1', 'c2', 'completed', 3000, 15, true],
  [9, 'random', 'a2', 'c1', 'timed_out', 3100, 100, false],
  [10, 'random', 'a2', 'c1', 'completed', 3900, 25, true],
];

function queryRecord(runId: string, queryId: string, policy: string | null, app: string, clusterId: string | null, status: QueryRecord['status'], createdMs: number, latencyMs: number, sloMet: boolean, warmup: boolean): QueryRecord {
  const createdAt = T0 + createdMs;
  const served = status === 'completed';
  return {
    schemaVersion: 1,
    runId,
    queryId,
    app,
    source: 'ap-1',
    task: 'digits',
    policy,
    clusterId,
    variantId: clusterId ? 'digits-mlp-s' : null,
    status,
    reason: status === 'dropped' ? 'NO_FEASIBLE_OPTION' : status === 'error' ? 'INFERENCE_FAILED' : null,
    detail: null,
    createdAt,
    dispatchedAt: status === 'timed_out' ? null : createdAt + 0.1,
    receivedAt: served ? createdAt + 0.2 : null,
    startedAt: served ? createdAt + 0.3 : null,
    finishedAt: served ? createdAt + 0.4 : null,
    completedAt: createdAt + latencyMs,
    emulatedNetworkMs: served ? 0 : null,
    latencyMs,
    sloMaxLatencyMs: 35,
    sloMinAccuracy: 0.9,
    sloMet,
    warmup,
    prediction: served ? 1 : null,
    label: served ? 1 : null,
  };
}

/** Heartbeats of the run's clusters (offset, cluster, instance, slots, busy, queue); two outside the run, one twice. */
const SAMPLES: [offsetMs: number, cluster: string, instance: string, slots: number, busy: number, queue: number][] = [
  [-1000, 'c1', 'i1', 2, 2, 9],
  [0, 'c1', 'i1', 2, 0, 0],
  [0, 'c1', 'i1', 2, 0, 0],
  [500, 'c1', 'i1', 2, 1, 0],
  [1000, 'c1', 'i1', 2, 2, 3],
  [1500, 'c1', 'i1', 2, 2, 1],
  [1000, 'c2', 'i2', 4, 1, 0],
  [1000, 'c2', 'i3', 4, 3, 2],
  [10_001, 'c1', 'i1', 2, 2, 9],
];

/** Numbers rounded to 9 decimals, so that float results compare with hand-computed ones. */
const rounded = <T>(value: T): T => JSON.parse(JSON.stringify(value), (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)) as T;

const group = (key: string | null, queries: number, sloMet: number, completed: number, drops: number, errors: number, timedOut: number, p: [number, number, number] | null) => ({
  key,
  queries,
  sloMet,
  successRatio: sloMet / queries,
  completed,
  drops,
  errors,
  timedOut,
  p50Ms: p?.[0] ?? null,
  p95Ms: p?.[1] ?? null,
  p99Ms: p?.[2] ?? null,
});

describe('reports API (in-process, a synthetic run through JetStream into PostgreSQL)', () => {
  let store: StoreHarness;
  const get = async (path: string) => {
    const res = await fetch(`${store.base}${path}`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    store = await startStore('reports');
    const { bus } = store;
    const runId = 'rep-1';
    await bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'started', runId, scenario: 'synthetic', policy: 'closest', seed: 7, codeVersion: 'test', parameters: {}, startedAt: T0 }, `${runId}.started`);
    const records = [
      queryRecord(runId, 'w1', 'closest', 'a1', 'c1', 'completed', 100, 1000, false, true),
      queryRecord(runId, 'w2', 'closest', 'a1', 'c1', 'completed', 200, 1000, false, true),
      ...MEASURED.map(([n, policy, app, cluster, status, created, latency, met]) => queryRecord(runId, `q${n}`, policy, app, cluster, status, created, latency, met, false)),
    ];
    for (const r of records) await bus.publishDurable('queryRecord', { runId }, r, `${runId}.${r.queryId}`);
    await bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'finished', runId, queryCount: records.length, finishedAt: T0 + 10_000 }, `${runId}.finished`);
    await bus.publishDurable('runRecord', { runId: 'rep-2' }, { schemaVersion: 1, kind: 'started', runId: 'rep-2', scenario: 'synthetic', policy: 'random', seed: 8, codeVersion: 'test', parameters: {}, startedAt: T0 + 60_000 }, 'rep-2.started');
    for (const [offset, clusterId, instanceId, slots, busySlots, queueLength] of SAMPLES) {
      const heartbeat: ClusterHeartbeat = { schemaVersion: 1, clusterId, instanceId, sentAt: T0 + offset, slots, busySlots, queueLength, processed: 0 };
      bus.publish('clusterHeartbeat', { clusterId }, heartbeat);
    }
    const decisions = ['closest', 'closest', 'random', 'closest'].map((chosen, step) => ({
      schemaVersion: 1 as const, runId, schedulerId: 's1', policy: 'aset', chosen, step, stepMs: 1000, at: T0 + step * 1000, observedSuccessRatio: [1, 0.75, 0, 0.5][step]!,
    }));
    await writeDecisions(store.app.get(DataSource), [...decisions, { ...decisions[0]!, runId: 'rep-aset' }]);
    const n = async (sql: string) => Number((await store.sql.query(sql)).rows[0].n);
    const stored = (sql: string, expected: number) => vi.waitFor(async () => expect(await n(sql)).toBe(expected), { timeout: 10_000, interval: 100 });
    await stored(`SELECT count(*) AS n FROM queries WHERE run_id = 'rep-1'`, 12);
    await stored(`SELECT count(*) AS n FROM runs WHERE finished_at IS NOT NULL OR run_id = 'rep-2'`, 2);
    await stored(`SELECT count(*) AS n FROM cluster_samples`, SAMPLES.length - 1);
  });

  afterAll(async () => {
    await store?.close();
  });

  it('GET /runs lists runs newest first with their query counts; limit bounds it', async () => {
    const rep1 = { runId: 'rep-1', scenario: 'synthetic', policy: 'closest', seed: 7, startedAt: iso(0), finishedAt: iso(10_000), expectedQueries: 12, storedQueries: 12, complete: true, host: null, parts: null };
    const rep2 = { runId: 'rep-2', scenario: 'synthetic', policy: 'random', seed: 8, startedAt: iso(60_000), finishedAt: null, expectedQueries: null, storedQueries: 0, complete: false, host: null, parts: null };
    const all = await get('/runs');
    expect(all.status).toBe(200);
    expect(RunListSchema.parse(all.body)).toEqual({ runs: [rep2, rep1] });
    expect((await get('/runs?limit=1')).body).toEqual({ runs: [rep2] });
  });

  it('GET /reports/summary: the run as GET /runs lists it, and per policy the figures of the policy breakdown (measured queries only)', async () => {
    const res = await get('/reports/summary?run=rep-1');
    expect(res.status).toBe(200);
    const summary = RunSummarySchema.parse(res.body);
    const { policies, ...run } = summary;
    expect(run).toEqual(RunListSchema.parse((await get('/runs')).body).runs.find((r) => r.runId === 'rep-1'));
    expect(run).toMatchObject({ runId: 'rep-1', scenario: 'synthetic', policy: 'closest', seed: 7, complete: true, storedQueries: 12, expectedQueries: 12 });
    const breakdown = RunBreakdownSchema.parse((await get('/runs/rep-1/summary?by=policy')).body);
    expect(policies).toEqual(breakdown.groups.map(({ key, ...figures }) => ({ policy: key, ...figures })));
    expect(rounded(policies)).toEqual(
      rounded([
        { policy: 'closest', queries: 7, sloMet: 3, successRatio: 3 / 7, completed: 5, drops: 1, errors: 1, timedOut: 0, p50Ms: 30, p95Ms: 48, p99Ms: 49.6 },
        { policy: 'random', queries: 3, sloMet: 2, successRatio: 2 / 3, completed: 2, drops: 0, errors: 0, timedOut: 1, p50Ms: 20, p95Ms: 24.5, p99Ms: 24.9 },
      ]),
    );
  });

  it('GET /runs/:runId/summary breaks outcomes down by policy (the default), app or cluster', async () => {
    const byPolicy = [
      group('closest', 7, 3, 5, 1, 1, 0, [30, 48, 49.6]),
      group('random', 3, 2, 2, 0, 0, 1, [20, 24.5, 24.9]),
    ];
    for (const path of ['/runs/rep-1/summary', '/runs/rep-1/summary?by=policy']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(rounded(RunBreakdownSchema.parse(res.body))).toEqual(rounded({ runId: 'rep-1', by: 'policy', groups: byPolicy }));
    }
    expect(rounded((await get('/runs/rep-1/summary?by=app')).body)).toEqual(
      rounded({
        runId: 'rep-1',
        by: 'app',
        groups: [group('a1', 5, 3, 4, 1, 0, 0, [17.5, 45.5, 49.1]), group('a2', 5, 2, 3, 0, 1, 1, [30, 39, 39.8])],
      }),
    );
    expect(rounded((await get('/runs/rep-1/summary?by=cluster')).body)).toEqual(
      rounded({
        runId: 'rep-1',
        by: 'cluster',
        groups: [group('c1', 5, 3, 4, 0, 0, 1, [22.5, 46.25, 49.25]), group('c2', 4, 2, 3, 0, 1, 0, [30, 39, 39.8]), group(null, 1, 0, 0, 1, 0, 0, null)],
      }),
    );
  });

  it('GET /runs/:runId/latency gives the requested percentiles of completed queries per policy', async () => {
    const res = await get('/runs/rep-1/latency?percentiles=50,90,99.9');
    expect(res.status).toBe(200);
    expect(rounded(LatencyReportSchema.parse(res.body))).toEqual(
      rounded({
        runId: 'rep-1',
        percentiles: [50, 90, 99.9],
        policies: [
          { policy: 'closest', completed: 5, meanMs: 30, maxMs: 50, latencies: [{ percentile: 50, ms: 30 }, { percentile: 90, ms: 46 }, { percentile: 99.9, ms: 49.96 }] },
          { policy: 'random', completed: 2, meanMs: 20, maxMs: 25, latencies: [{ percentile: 50, ms: 20 }, { percentile: 90, ms: 24 }, { percentile: 99.9, ms: 24.99 }] },
        ],
      }),
    );
    expect((LatencyReportSchema.parse((await get('/runs/rep-1/latency')).body)).percentiles).toEqual([50, 95, 99]);
  });

  it('GET /runs/:runId/timeseries buckets measured queries by creation time from the run start, per policy', async () => {
    const res = await get('/runs/rep-1/timeseries');
    expect(res.status).toBe(200);
    const bucket = (offsetMs: number, policy: string, queries: number, sloMet: number, p95Ms: number) => ({ offsetMs, start: iso(offsetMs), policy, queries, sloMet, successRatio: sloMet / queries, p95Ms });
    expect(rounded(TimeseriesSchema.parse(res.body))).toEqual(
      rounded({
        runId: 'rep-1',
        bucketMs: 1000,
        origin: iso(0),
        buckets: [bucket(1000, 'closest', 4, 3, 38.5), bucket(2000, 'closest', 3, 0, 50), bucket(3000, 'random', 3, 2, 24.5)],
      }),
    );
    const half = TimeseriesSchema.parse((await get('/runs/rep-1/timeseries?bucketMs=500')).body);
    expect(half.buckets.map((b) => [b.offsetMs, b.policy, b.queries])).toEqual([
      [1000, 'closest', 2],
      [1500, 'closest', 2],
      [2000, 'closest', 1],
      [2500, 'closest', 2],
      [3000, 'random', 2],
      [3500, 'random', 1],
    ]);
  });

  it('GET /runs/:runId/clusters averages the heartbeats between the run start and end per cluster and bucket', async () => {
    const res = await get('/runs/rep-1/clusters?bucketMs=1000');
    expect(res.status).toBe(200);
    const bucket = (clusterId: string, offsetMs: number, samples: number, instances: number, meanUtilisation: number, meanBusySlots: number, meanQueueLength: number, maxQueueLength: number) => ({
      clusterId, offsetMs, start: iso(offsetMs), samples, instances, meanUtilisation, meanBusySlots, meanQueueLength, maxQueueLength,
    });
    expect(rounded(ClusterUtilisationSchema.parse(res.body))).toEqual({
      runId: 'rep-1',
      bucketMs: 1000,
      from: iso(0),
      to: iso(10_000),
      buckets: [bucket('c1', 0, 2, 1, 0.25, 0.5, 0, 0), bucket('c1', 1000, 2, 1, 1, 2, 2, 3), bucket('c2', 1000, 2, 2, 0.5, 2, 1, 2)],
    });
    const wide = ClusterUtilisationSchema.parse((await get('/runs/rep-1/clusters?bucketMs=100000')).body);
    expect(rounded(wide.buckets)).toEqual([bucket('c1', 0, 4, 1, 0.625, 1.25, 1, 3), bucket('c2', 0, 2, 2, 0.5, 2, 1, 2)]);
  });

  it('GET /runs/:runId/decisions lists the step choices and how often each policy was chosen', async () => {
    const res = await get('/runs/rep-1/decisions');
    expect(res.status).toBe(200);
    expect(DecisionReportSchema.parse(res.body)).toEqual({
      runId: 'rep-1',
      chosen: [
        { chosen: 'closest', steps: 3, share: 0.75 },
        { chosen: 'random', steps: 1, share: 0.25 },
      ],
      decisions: ['closest', 'closest', 'random', 'closest'].map((chosen, step) => ({
        schedulerId: 's1', step, at: iso(step * 1000), stepMs: 1000, policy: 'aset', chosen, observedSuccessRatio: [1, 0.75, 0, 0.5][step],
      })),
    });
    const decisionsOnly = await get('/runs/rep-aset/decisions');
    expect(decisionsOnly.status).toBe(200);
    expect(DecisionReportSchema.parse(decisionsOnly.body).decisions).toHaveLength(1);
    expect(RunBreakdownSchema.parse((await get('/runs/rep-aset/summary')).body).groups).toEqual([]);
    expect(ClusterUtilisationSchema.parse((await get('/runs/rep-aset/clusters')).body)).toMatchObject({ from: null, to: null, buckets: [] });
  });

  it('answers 404 for a run it knows nothing of', async () => {
    for (const report of ['summary', 'latency', 'timeseries', 'clusters', 'decisions']) {
      const res = await get(`/runs/nope/${report}`);
      expect(res.status).toBe(404);
      expect(NotFoundSchema.parse(res.body).message).toBe('run "nope" is not in the metrics store');
    }
  });

  const INJECTIONS = ['1;DROP TABLE queries', "' OR 1=1 --", "x'); DELETE FROM runs; --", 'a'.repeat(5000), 'été', '💥', '\u0000', '%'];

  it('answers 400 naming the parameter for bad values, injection strings included', async () => {
    const cases: [path: string, parameter: string][] = [];
    for (const bad of INJECTIONS) {
      const v = encodeURIComponent(bad);
      cases.push(
        [`/runs/${v}/summary`, 'runId'],
        [`/runs/${v}/decisions`, 'runId'],
        [`/runs?limit=${v}`, 'limit'],
        [`/runs/rep-1/summary?by=${v}`, 'by'],
        [`/runs/rep-1/latency?percentiles=${v}`, 'percentiles'],
        [`/runs/rep-1/timeseries?bucketMs=${v}`, 'bucketMs'],
        [`/runs/rep-1/clusters?bucketMs=${v}`, 'bucketMs'],
        [`/reports/summary?run=${v}`, 'run'],
      );
    }
    cases.push(
      ['/runs/' + 'a'.repeat(65) + '/latency', 'runId'],
      ['/runs?limit=0', 'limit'],
      ['/runs?limit=1001', 'limit'],
      ['/runs?limit=2.5', 'limit'],
      ['/runs?limit=', 'limit'],
      ['/runs?limit=1e400', 'limit'],
      ['/runs/rep-1/summary?by=region', 'by'],
      ['/runs/rep-1/summary?by=app&by=cluster', 'by'],
      ['/runs/rep-1/latency?percentiles=', 'percentiles'],
      ['/runs/rep-1/latency?percentiles=0', 'percentiles'],
      ['/runs/rep-1/latency?percentiles=100', 'percentiles'],
      ['/runs/rep-1/latency?percentiles=50,-5', 'percentiles'],
      ['/runs/rep-1/latency?percentiles=50,,90', 'percentiles'],
      ['/runs/rep-1/latency?percentiles=1,2,3,4,5,6,7,8,9,10,11', 'percentiles'],
      ['/runs/rep-1/latency?percentiles=%EF%BC%95%EF%BC%90', 'percentiles'],
      ['/runs/rep-1/timeseries?bucketMs=99', 'bucketMs'],
      ['/runs/rep-1/timeseries?bucketMs=3600001', 'bucketMs'],
      ['/runs/rep-1/timeseries?bucketMs=250.5', 'bucketMs'],
      ['/runs/rep-1/clusters?bucketMs=%D9%A1%D9%A0%D9%A0%D9%A0', 'bucketMs'],
      ['/runs/rep-1/timeseries?bucketMS=500', 'bucketMS'],
      ['/reports/summary', 'run'],
    );
    for (const [path, parameter] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      const body = BadRequestSchema.parse(res.body);
      expect(body.message, path).toContain(parameter);
      expect(body.problems.length, path).toBeGreaterThan(0);
    }
    const n = async (sql: string) => Number((await store.sql.query(sql)).rows[0].n);
    expect(await n(`SELECT count(*) AS n FROM queries`)).toBe(12);
    expect(await n(`SELECT count(*) AS n FROM runs`)).toBe(2);
  });

  it('serves the OpenAPI document at /docs-json, listing every route with its parameters, and Swagger UI at /docs', async () => {
    const { status, body } = await get('/docs-json');
    expect(status).toBe(200);
    const doc = body as { openapi: string; paths: Record<string, { get?: { parameters?: { name: string; in: string; schema?: Record<string, unknown> }[]; responses: Record<string, { content?: unknown }> } }> };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/reports/summary',
      '/runs',
      '/runs/{runId}/clusters',
      '/runs/{runId}/decisions',
      '/runs/{runId}/latency',
      '/runs/{runId}/latency-cdf',
      '/runs/{runId}/summary',
      '/runs/{runId}/timeseries',
    ]);
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(item.get?.responses['200']?.content, path).toBeDefined();
      expect(item.get?.responses['400']?.content, path).toBeDefined();
      if (path.includes('{runId}')) expect(item.get?.parameters?.find((p) => p.name === 'runId')?.in, path).toBe('path');
    }
    const bucketMs = doc.paths['/runs/{runId}/timeseries']?.get?.parameters?.find((p) => p.name === 'bucketMs');
    expect(bucketMs).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 1000 } });
    expect(doc.paths['/runs/{runId}/summary']?.get?.parameters?.find((p) => p.name === 'by')?.schema).toMatchObject({ enum: ['policy', 'app', 'cluster'] });
    for (const path of ['/runs', '/reports/summary']) expect(JSON.stringify(doc.paths[path]?.get?.responses['200']), path).toContain('parts whose finished record is stored');
    const ui = await fetch(`${store.base}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${store.base}/health`)).status).toBe(200);
    expect((await fetch(`${store.base}/no-such-route`)).status).toBe(404);
  });
});

describe('a run split over several generators (in-process, through JetStream into PostgreSQL)', () => {
  let store: StoreHarness;

  afterAll(async () => {
    await store?.close();
  });

  it('GET /runs and /reports/summary show its parts, and the run complete only once every part finished', async () => {
    store = await startStore('reports_parts');
    const { bus } = store;
    const runId = 'split-1';
    const list = async () => RunListSchema.parse(await (await fetch(`${store.base}/runs`)).json()).runs.find((r) => r.runId === runId);
    const partOf = (id: string, sources: string[]) => ({ id, count: 2, sources });
    const started = (id: string, sources: string[], startedMs: number) =>
      bus.publishDurable(
        'runRecord',
        { runId },
        { schemaVersion: 1, kind: 'started', runId, scenario: 'synthetic', policy: 'closest', seed: 3, codeVersion: 'test', parameters: {}, startedAt: T0 + startedMs, part: partOf(id, sources) },
        `${runId}.${id}.started`,
      );
    const finished = (id: string, sources: string[], queryCount: number, finishedMs: number) =>
      bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'finished', runId, queryCount, finishedAt: T0 + finishedMs, part: partOf(id, sources) }, `${runId}.${id}.finished`);
    const queries = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        const r = syntheticRecord(runId, { queryId: `q${String(i).padStart(7, '0')}`, policy: 'closest', status: 'completed', createdMs: 1000 + i, latencyMs: 10 + i, sloMet: true });
        await bus.publishDurable('queryRecord', { runId }, r, `${runId}.${r.queryId}`);
      }
    };
    await started('site-a', ['ap-1'], 20);
    await started('site-b', ['ap-2'], 10);
    await queries(0, 5);
    await finished('site-a', ['ap-1'], 5, 9_000);
    // Batches commit concurrently, so site-b's `started` may land after site-a's `finished`: wait for both.
    await vi.waitFor(async () => expect(await list()).toMatchObject({ storedQueries: 5, startedAt: iso(10), parts: { count: 2, finished: 1 } }), {
      timeout: 10_000,
      interval: 100,
    });
    expect(await list()).toMatchObject({ startedAt: iso(10), finishedAt: null, expectedQueries: null, complete: false });

    await queries(5, 3);
    await finished('site-b', ['ap-2'], 3, 8_000);
    await vi.waitFor(async () => expect(await list()).toMatchObject({ complete: true }), { timeout: 10_000, interval: 100 });
    const run = { runId, scenario: 'synthetic', policy: 'closest', seed: 3, startedAt: iso(10), finishedAt: iso(9_000), expectedQueries: 8, storedQueries: 8, complete: true, host: null, parts: { count: 2, finished: 2 } };
    expect(await list()).toEqual(run);
    const { policies, ...summary } = RunSummarySchema.parse(await (await fetch(`${store.base}/reports/summary?run=${runId}`)).json());
    expect(summary).toEqual(run);
    expect(policies).toMatchObject([{ policy: 'closest', queries: 8, completed: 8 }]);
  });
});
