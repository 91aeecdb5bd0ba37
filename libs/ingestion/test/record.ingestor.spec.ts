import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { DecisionRecord, MetricFamily, QueryRecord, RunFinished, RunRecord, RunStarted } from '@aset/contracts';
import { sampleQueryRecord, uniqueTestPrefix } from '@aset/contracts/testing';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { createTestDatabase, dropTestDatabase, testNatsUrl } from '@aset/service-kit/testing';
import { metricsDataSourceOptions, RecordIngestor, type IngestOptions, QueryRows, RecordWriter, type RecordBatchContent, type RecordSink } from '../src/index.js';

const T0 = 1_764_000_000_000;

function record(runId: string, i: number, overrides: Partial<QueryRecord> = {}): QueryRecord {
  const t = T0 + i * 3 + 0.123;
  return sampleQueryRecord({
    runId,
    queryId: `q${String(i).padStart(7, '0')}`,
    policy: 'closest',
    clusterId: 'cloud-1',
    createdAt: t,
    dispatchedAt: t + 0.2,
    receivedAt: t + 0.3125,
    startedAt: t + 0.5,
    finishedAt: t + 1.75,
    emulatedNetworkMs: 4.5,
    completedAt: t + 2.0001,
    latencyMs: 2.0001,
    sloMaxLatencyMs: 50,
    sloMinAccuracy: 0.9,
    prediction: 7,
    label: 7,
    ...overrides,
  });
}

/** One store ingestor on its own subject prefix (so its own stream and durable consumer) and database. */
interface Harness {
  bus: MessageBus;
  sql: pg.Client;
  ingestor: RecordIngestor;
  /** The writer the ingestor writes through (wrapped when the test asked for it). */
  writer: RecordWriter;
  dataSource: DataSource;
  publish(r: QueryRecord, msgId?: string): Promise<void>;
  /** Publishes any payload to JetStream from a plain client (e.g. one the bus would not publish). */
  publishRaw(subject: string, payload: string): Promise<void>;
  count(where?: string, params?: unknown[]): Promise<number>;
  /**
   * The durable consumer's state. `acked` is its ack floor (a stream sequence): 0 while nothing was
   * acknowledged; `deliveries` counts every delivery, redeliveries included.
   */
  consumer(): Promise<{ ackPending: number; pending: number; redelivered: number; acked: number; deliveries: number }>;
  /** Starts ingesting (done by start() unless it was told not to). */
  begin(): Promise<void>;
  stop(): Promise<void>;
}

const dbs: string[] = [];
const closers: (() => Promise<void>)[] = [];

/** Starts a RecordIngestor exactly as the module does (bootstrap hook), optionally with a sink wrapped around the real writer. */
async function start(label: string, wrap?: (real: RecordWriter) => RecordSink, options: Partial<IngestOptions> = {}, ingestAtOnce = true): Promise<Harness> {
  const testDb = await createTestDatabase(label);
  dbs.push(testDb.name);
  const dataSource = new DataSource(metricsDataSourceOptions(testDb.url));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  const prefix = uniqueTestPrefix(label);
  const bus = await MessageBus.connect({ servers: testNatsUrl(), name: `${label}-test`, prefix, logger: silentBusLogger });
  const storeBus = await MessageBus.connect({ servers: testNatsUrl(), name: `${label}-store`, prefix, logger: silentBusLogger });
  const raw = await connect({ servers: testNatsUrl(), name: `${label}-raw` });
  await bus.ensureStream('records');
  const real = new RecordWriter(dataSource);
  const ingestor = new RecordIngestor(storeBus, dataSource, wrap ? wrap(real) : real, { retryDelayMs: 200, ...options });
  const sql = new pg.Client({ connectionString: testDb.url });
  await sql.connect();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await ingestor.onApplicationShutdown();
    await storeBus.close();
  };
  closers.push(async () => {
    await stop();
    await sql.end();
    await dataSource.destroy();
    await bus.deleteStream('records').catch(() => false);
    await bus.close();
    await raw.close();
  });
  const begin = () => ingestor.onApplicationBootstrap();
  if (ingestAtOnce) await begin();
  return {
    begin,
    bus,
    sql,
    ingestor,
    writer: real,
    dataSource,
    publish: (r, msgId) => bus.publishDurable('queryRecord', { runId: r.runId }, r, msgId ?? `${r.runId}.${r.queryId}`),
    publishRaw: async (subject, payload) => {
      await jetstream(raw).publish(subject, payload);
    },
    count: async (where = 'true', params = []) => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM queries WHERE ${where}`, params)).rows[0]?.n),
    consumer: async () => {
      const state = await bus.consumerState('metricsStore');
      return { ackPending: state.ackPending, pending: state.pending, redelivered: state.redelivered, acked: state.ackFloor, deliveries: state.delivered };
    },
    stop,
  };
}

/** Publishes with up to 200 JetStream publishes in flight. */
async function publishAll(h: Harness, records: readonly QueryRecord[], msgId: (r: QueryRecord) => string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const r = records[next++]!;
      await h.publish(r, msgId(r));
    }
  };
  await Promise.all(Array.from({ length: 200 }, worker));
}

beforeAll(() => {
  Logger.overrideLogger(false);
});

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
  for (const name of dbs.splice(0)) await dropTestDatabase(name);
  Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
});

describe('RecordIngestor (real NATS JetStream and PostgreSQL)', () => {
  it('stores every field as published, nulls and awkward text included', async () => {
    const h = await start('ingest_fields');
    const awkward = record('run-f', 1, {
      status: 'error',
      reason: 'INFERENCE_FAILED',
      detail: 'tab\there, newline\nthere, backslash \\N and \\, "quotes", unicode \u00e9\u8def \ud83d\ude00',
      policy: null,
      clusterId: null,
      variantId: null,
      dispatchedAt: null,
      receivedAt: null,
      startedAt: null,
      finishedAt: null,
      emulatedNetworkMs: null,
      prediction: null,
      label: 0,
      sloMet: false,
      warmup: true,
    });
    const plain = record('run-f', 2);
    await h.publish(awkward);
    await h.publish(plain);
    await expect.poll(() => h.count(), { timeout: 10_000 }).toBe(2);
    const stamps = ['created', 'dispatched', 'received', 'started', 'finished', 'completed'];
    const rows = (
      await h.sql.query(
        `SELECT q.*, ${stamps.map((c, i) => `q.${c}_at = to_timestamp($${i + 2}::float8 / 1000.0) AS ${c}_exact`).join(', ')}
           FROM queries q WHERE run_id = 'run-f' AND query_id = $1`,
        [plain.queryId, plain.createdAt, plain.dispatchedAt, plain.receivedAt, plain.startedAt, plain.finishedAt, plain.completedAt],
      )
    ).rows as Record<string, unknown>[];
    expect(rows[0]).toMatchObject({
      app: 'digit-reader',
      source: 'ap-1',
      task: 'digits',
      policy: 'closest',
      cluster_id: 'cloud-1',
      variant_id: 'digits-mlp-s',
      status: 'completed',
      reason: null,
      detail: null,
      emulated_network_ms: 4.5,
      latency_ms: 2.0001,
      slo_max_latency_ms: 50,
      slo_min_accuracy: 0.9,
      slo_met: true,
      warmup: false,
      prediction: 7,
      label: 7,
      // Timestamps convert exactly as to_timestamp(ms / 1000.0), sub-millisecond fractions included.
      created_exact: true,
      dispatched_exact: true,
      received_exact: true,
      started_exact: true,
      finished_exact: true,
      completed_exact: true,
    });
    const odd = (await h.sql.query(`SELECT * FROM queries WHERE query_id = $1`, [awkward.queryId])).rows[0] as Record<string, unknown>;
    expect(odd).toMatchObject({
      status: 'error',
      reason: 'INFERENCE_FAILED',
      detail: awkward.detail,
      policy: null,
      cluster_id: null,
      variant_id: null,
      dispatched_at: null,
      received_at: null,
      started_at: null,
      finished_at: null,
      emulated_network_ms: null,
      prediction: null,
      label: 0,
      slo_met: false,
      warmup: true,
    });
  });

  it('never duplicates a redelivered query: the same record under new message ids, in one batch and across batches', async () => {
    const h = await start('ingest_redelivery');
    const runId = 'run-r';
    const first = Array.from({ length: 50 }, (_, i) => record(runId, i));
    // The same queries published again (new msg ids, so JetStream cannot dedupe) with other values. Batches are
    // written concurrently (maxInFlight), so which copy commits first is not defined; what is: one row per query,
    // holding one whole copy (never a mix), and once a row is committed no later copy changes it.
    const again = first.slice(0, 20).map((r) => ({ ...r, latencyMs: 999, prediction: 3 }));
    await publishAll(h, [...first, ...again], (r) => `${r.runId}.${r.queryId}.${r.latencyMs === 999 ? 'again' : 'first'}`);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect(await h.count('run_id = $1', [runId])).toBe(50);
    expect(await h.count('run_id = $1 AND latency_ms = 999 AND query_id >= $2', [runId, first[20]!.queryId])).toBe(0);
    expect(await h.count('run_id = $1 AND (latency_ms = 999) <> (prediction = 3)', [runId])).toBe(0);
    const stored = async (queryId: string) =>
      (await h.sql.query<{ latency_ms: number; prediction: number }>(`SELECT latency_ms, prediction FROM queries WHERE run_id = $1 AND query_id = $2`, [runId, queryId])).rows;
    const before = await stored(first[3]!.queryId);
    // Later, after a commit: a third copy of an already stored query.
    await h.publish({ ...first[3]!, latencyMs: 777, prediction: 1 }, `${runId}.late`);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect(await h.count('run_id = $1', [runId])).toBe(50);
    expect(await stored(first[3]!.queryId)).toEqual(before);
    expect(await h.count('latency_ms = 777')).toBe(0);
    expect(h.ingestor.ingested).toBe(50);
    expect(h.ingestor.stats.invalid).toBe(0);
    // The duplicates went through the idempotent path (staging table, ON CONFLICT DO NOTHING).
    expect(h.writer.stagedBatches).toBeGreaterThan(0);
  });

  it('converts timestamps exactly as to_timestamp(ms / 1000.0) does, halfway microseconds included', async () => {
    const h = await start('ingest_time');
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const records = Array.from({ length: 3_000 }, (_, i) => {
      const createdAt = T0 + i * 7.3 + Math.round(random() * 1e4) / 1e4;
      return record('run-t', i, { createdAt, dispatchedAt: createdAt + i / 16, receivedAt: 1e12 + random() * 1e12, completedAt: createdAt + random() });
    });
    await publishAll(h, records, (r) => `${r.runId}.${r.queryId}`);
    await expect.poll(() => h.count(), { timeout: 15_000 }).toBe(3_000);
    const differing = await h.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM queries q JOIN unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[]) AS t(id, c, d, r, x) ON q.query_id = t.id
        WHERE q.created_at <> to_timestamp(t.c / 1000.0) OR q.dispatched_at <> to_timestamp(t.d / 1000.0)
           OR q.received_at <> to_timestamp(t.r / 1000.0) OR q.completed_at <> to_timestamp(t.x / 1000.0)`,
      [records.map((r) => r.queryId), records.map((r) => r.createdAt), records.map((r) => r.dispatchedAt), records.map((r) => r.receivedAt), records.map((r) => r.completedAt)],
    );
    expect(Number(differing.rows[0]?.n)).toBe(0);
  });

  it('acknowledges nothing before the commit: a write held open keeps its messages pending, a failed one redelivers them', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    let failures = 1;
    const h = await start('ingest_ack', (real) => ({
      async write(batch: RecordBatchContent) {
        calls++;
        await held;
        if (failures > 0) {
          failures--;
          throw new Error('database unavailable');
        }
        return real.write(batch);
      },
    }), { maxInFlight: 1 }, false);
    const records = Array.from({ length: 30 }, (_, i) => record('run-a', i));
    // Published before the store starts. Pull deliveries may split them over several batches; with one
    // write in flight, the first batch's write holds the rest back, so exactly one write is open.
    await publishAll(h, records, (r) => `${r.runId}.${r.queryId}`);
    await h.begin();
    // Delivered to the store and sitting in an open write: not acknowledged, not in the table.
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ pending: 0, ackPending: 30 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.consumer()).toMatchObject({ ackPending: 30, redelivered: 0, acked: 0 });
    expect(await h.count()).toBe(0);
    expect(calls).toBe(1);
    // The write fails: the batch is NAKed and comes back (redelivered), then commits; only then acks.
    release();
    await expect.poll(() => h.count(), { timeout: 10_000 }).toBe(30);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect((await h.consumer()).deliveries).toBeGreaterThanOrEqual(60);
    expect(h.ingestor.stats.failedWrites).toBe(1);
    expect(await h.count()).toBe(30);
  });

  it('keeps messages unacknowledged while the database refuses writes (table gone), and stores them once it is back', async () => {
    const h = await start('ingest_dbdown');
    await h.sql.query(`ALTER TABLE queries RENAME TO queries_away`);
    const records = Array.from({ length: 40 }, (_, i) => record('run-d', i));
    await publishAll(h, records, (r) => `${r.runId}.${r.queryId}`);
    await expect.poll(() => h.ingestor.stats.failedWrites, { timeout: 10_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.consumer()).toMatchObject({ acked: 0 });
    expect(h.ingestor.ingested).toBe(0);
    expect(Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM queries_away`)).rows[0]?.n)).toBe(0);
    await h.sql.query(`ALTER TABLE queries_away RENAME TO queries`);
    await expect.poll(() => h.count(), { timeout: 15_000 }).toBe(40);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect((await h.consumer()).deliveries).toBeGreaterThanOrEqual(80);
    expect(await h.count()).toBe(40);
  });

  it('writes the records that trickle in within lingerMs together, and each at once without it', { timeout: 60_000 }, async () => {
    const trickle = async (h: Harness, runId: string) => {
      for (let i = 0; i < 20; i++) {
        await h.publish(record(runId, i));
        await new Promise((r) => setTimeout(r, 2));
      }
      await expect.poll(() => h.count('run_id = $1', [runId]), { timeout: 20_000 }).toBe(20);
    };
    const lingering = await start('linger', undefined, { lingerMs: 200 });
    await trickle(lingering, 'linger-on');
    // 20 records over about 60 ms, the first waiting 200 ms: one or two writes.
    expect(lingering.ingestor.stats.batches).toBeLessThanOrEqual(2);
    const eager = await start('eager', undefined, { lingerMs: 0 });
    await trickle(eager, 'linger-off');
    expect(eager.ingestor.stats.batches).toBeGreaterThan(5);
  });

  it('stores a large backlog (25k records) exactly once, in large batches', { timeout: 120_000 }, async () => {
    // The backlog is in the stream before the store starts: what a restarted store finds.
    const h = await start('ingest_large', undefined, {}, false);
    const runs = ['run-l1', 'run-l2', 'run-l3'];
    const records = Array.from({ length: 25_000 }, (_, i) => record(runs[i % 3]!, Math.floor(i / 3), { latencyMs: i % 97 }));
    // 500 of them twice (a publisher retry that JetStream's dedupe window cannot catch: new ids).
    const retried = records.slice(0, 500);
    await publishAll(h, [...records, ...retried], (r) => `${r.runId}.${r.queryId}.${Math.random().toString(36).slice(2)}`);
    await h.begin();
    await expect.poll(() => h.count(), { timeout: 60_000, interval: 200 }).toBe(25_000);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect(Number((await h.sql.query<{ n: string }>(`SELECT count(DISTINCT (run_id, query_id)) AS n FROM queries`)).rows[0]?.n)).toBe(25_000);
    expect(h.ingestor.ingested).toBe(25_000);
    expect(h.ingestor.stats.records).toBe(25_500);
    expect(h.ingestor.stats.maxBatch).toBeGreaterThan(1_000);
    expect(h.ingestor.stats.batches).toBeLessThan(200);
  });

  it('terminates and counts what cannot be stored without blocking the batch around it', async () => {
    const h = await start('ingest_refused');
    const runId = 'run-x';
    const good = Array.from({ length: 20 }, (_, i) => record(runId, i));
    // Valid for the schema, but refused by the encoder (timestamp out of range, beyond int4) or by the database (a NUL character).
    const outOfRange = record(runId, 100, { createdAt: 1e300 });
    const tooBig = record(runId, 101, { prediction: 2 ** 31 });
    const nul = record(runId, 102, { status: 'error', reason: 'INTERNAL', detail: 'bad \u0000 byte' });
    await publishAll(h, [...good.slice(0, 10), outOfRange, tooBig, nul, ...good.slice(10)], (r) => `${r.runId}.${r.queryId}`);
    await h.publishRaw(h.bus.subject('queryRecord', { runId }), 'not json');
    await expect.poll(() => h.count(), { timeout: 10_000 }).toBe(20);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect(h.ingestor.stats).toMatchObject({ invalid: 4, refused: 1, failedWrites: 0 });
  });

  /** A generator's final metrics as its `finished` record carries them. */
  const generatorMetrics: MetricFamily[] = [
    { name: 'aset_queries_total', help: 'Queries', type: 'counter', values: [{ labels: { app: 'a', status: 'completed' }, value: 2 }] },
    {
      name: 'aset_query_latency_seconds',
      help: 'Latency',
      type: 'histogram',
      values: [
        { labels: { le: 0.01 }, value: 2, metricName: 'aset_query_latency_seconds_bucket' },
        { labels: { le: '+Inf' }, value: 2, metricName: 'aset_query_latency_seconds_bucket' },
        { labels: {}, value: 0.012, metricName: 'aset_query_latency_seconds_sum' },
        { labels: {}, value: 2, metricName: 'aset_query_latency_seconds_count' },
      ],
    },
  ];

  it('routes run (host usage and generator metrics included) and decision records to their tables in the same transactions', async () => {
    const h = await start('ingest_routes');
    const runId = 'run-k';
    await h.bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'started', runId, scenario: 'demo', seed: 3, codeVersion: 'test', parameters: { queries: 2 }, startedAt: T0 }, `${runId}.started`);
    await h.publish(record(runId, 1));
    await h.publish(record(runId, 2));
    const decision: DecisionRecord = { schemaVersion: 1, runId, schedulerId: 'sched-1', policy: 'aset', chosen: 'closest', step: 0, stepMs: 1000, at: T0 + 0.5, observedSuccessRatio: 0.75 };
    await h.bus.publishDurable('decisionRecord', { runId }, decision, `${runId}.d0`);
    await h.bus.publishDurable('decisionRecord', { runId }, decision, `${runId}.d0.again`);
    await h.bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'finished', runId, queryCount: 2, finishedAt: T0 + 10, generatorMetrics }, `${runId}.finished`);
    const host = { cores: 2, windows: 7, meanBusy: 0.41, maxBusy: 0.93, saturatedWindows: 1, saturation: 0.9, serviceCpuMs: { scheduler: 670, 'worker-far-edge-1': 820 }, representative: false, reason: 'saturated' };
    await h.bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'host', runId, host, measuredAt: T0 + 11 }, `${runId}.host`);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect(await h.count('run_id = $1', [runId])).toBe(2);
    const run = (await h.sql.query(`SELECT scenario, seed, query_count, host_usage, generator_metrics FROM runs WHERE run_id = $1`, [runId])).rows[0] as Record<string, unknown>;
    expect(run).toEqual({ scenario: 'demo', seed: 3, query_count: 2, host_usage: host, generator_metrics: generatorMetrics });
    const decisions = (await h.sql.query(`SELECT chosen, observed_success_ratio FROM scheduling_decisions WHERE run_id = $1`, [runId])).rows;
    expect(decisions).toEqual([{ chosen: 'closest', observed_success_ratio: 0.75 }]);
    expect(h.ingestor.stats.invalid).toBe(0);
  });

  it('refuses on receipt a run or decision record whose numbers no column holds, and writes the rest of its batch at once', async () => {
    const h = await start('ingest_unwritable');
    const runId = 'run-u';
    const decision = (step: number, at = T0 + step): DecisionRecord => ({ schemaVersion: 1, runId, schedulerId: 'sched-1', policy: 'aset', chosen: 'closest', step, stepMs: 1000, at, observedSuccessRatio: 0.5 });
    const started = (id: string, seed: number, startedAt = T0): RunRecord => ({ schemaVersion: 1, kind: 'started', runId: id, scenario: 'demo', seed, codeVersion: 'test', parameters: {}, startedAt });
    await h.bus.publishDurable('runRecord', { runId }, started(runId, 1), `${runId}.started`);
    await h.bus.publishDurable('runRecord', { runId: 'run-seed' }, started('run-seed', 2 ** 31), 'run-seed.started');
    await h.bus.publishDurable('runRecord', { runId: 'run-late' }, started('run-late', 1, 9.3e15), 'run-late.started');
    await h.bus.publishDurable('runRecord', { runId: 'run-count' }, { schemaVersion: 1, kind: 'finished', runId: 'run-count', queryCount: 2 ** 40, finishedAt: T0 }, 'run-count.finished');
    for (const [i, d] of [decision(0), decision(2 ** 31), decision(1, 1e300), decision(2)].entries()) await h.bus.publishDurable('decisionRecord', { runId }, d, `${runId}.d${i}`);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect((await h.sql.query(`SELECT run_id FROM runs ORDER BY run_id`)).rows).toEqual([{ run_id: runId }]);
    expect((await h.sql.query(`SELECT step FROM scheduling_decisions ORDER BY step`)).rows).toEqual([{ step: 0 }, { step: 2 }]);
    // Refused on receipt (invalid), none by the database: no batch had to be split.
    expect(h.ingestor.stats).toMatchObject({ invalid: 5, refused: 0, failedWrites: 0 });
  });

  it('writes batches at once that upsert the same runs and decisions in opposite orders without deadlocking', { timeout: 60_000 }, async () => {
    const h = await start('ingest_lock_order');
    const finished = (runId: string, n: number): RunRecord => ({ schemaVersion: 1, kind: 'finished', runId, queryCount: n, finishedAt: T0 + n });
    const decision = (runId: string, step: number): DecisionRecord => ({ schemaVersion: 1, runId, schedulerId: 's1', policy: 'aset', chosen: 'closest', step, stepMs: 1000, at: T0 + step, observedSuccessRatio: 0.5 });
    const runIds = Array.from({ length: 8 }, (_, i) => `lock-order-${i}`);
    for (let round = 0; round < 10; round++) {
      const forward = { runs: runIds.map((id) => finished(id, round)), queries: new QueryRows(), decisions: runIds.map((id) => decision(id, round)) };
      const backward = { runs: [...forward.runs].reverse(), queries: new QueryRows(), decisions: [...forward.decisions].reverse() };
      // Two transactions at once over the same rows: in opposite orders they would each hold a lock the other waits for.
      await Promise.all([h.writer.write(forward), h.writer.write(backward)]);
    }
    const { rows } = await h.sql.query(`SELECT count(*)::int AS runs, min(query_count) AS q FROM runs WHERE run_id LIKE 'lock-order-%'`);
    expect(rows[0]).toEqual({ runs: 8, q: 9 });
  });

  it('writes what it already received when shut down, and resumes from the durable consumer afterwards', { timeout: 60_000 }, async () => {
    const h = await start('ingest_restart');
    const records = Array.from({ length: 300 }, (_, i) => record('run-s', i));
    await publishAll(h, records.slice(0, 150), (r) => `${r.runId}.${r.queryId}`);
    await h.stop();
    const afterStop = await h.count();
    expect(h.ingestor.ingested).toBe(afterStop);
    await publishAll(h, records.slice(150), (r) => `${r.runId}.${r.queryId}`);
    const storeBus = await MessageBus.connect({ servers: testNatsUrl(), name: 'ingest-restart-2', prefix: h.bus.subjects.prefix, logger: silentBusLogger });
    const again = new RecordIngestor(storeBus, h.dataSource);
    await again.onApplicationBootstrap();
    try {
      // Messages the server had sent when the first consumer closed come back after ack_wait (10 s).
      await expect.poll(() => h.count(), { timeout: 25_000, interval: 200 }).toBe(300);
      expect(again.ingested).toBe(300 - afterStop);
    } finally {
      await again.onApplicationShutdown();
      await storeBus.close();
    }
  });
});

/** Part `id` (of `count`) of split run `runId`: its started and finished records. */
function part(runId: string, id: string, count: number, sources: string[], at: { started: number; finished: number; queries: number }): { started: RunStarted; finished: RunFinished } {
  const p = { id, count, sources };
  return {
    started: { schemaVersion: 1, kind: 'started', runId, scenario: 'demo', policy: 'closest', seed: 7, codeVersion: 'test', parameters: { queries: 30 }, startedAt: T0 + at.started, part: p },
    finished: { schemaVersion: 1, kind: 'finished', runId, queryCount: at.queries, finishedAt: T0 + at.finished, part: p },
  };
}

describe('runs split over several generators (real PostgreSQL, and NATS JetStream)', () => {
  /** The run's row as readers see it: complete once finished_at and query_count are set and that many queries are stored. */
  const runRow = async (h: Harness, runId: string) =>
    (
      await h.sql.query(
        `SELECT r.started_at = to_timestamp($2 / 1000.0) AS earliest_start, r.part_count, r.query_count, (extract(epoch FROM r.finished_at) * 1000 - $2)::float8 AS finished_ms,
                (SELECT count(*)::int FROM queries q WHERE q.run_id = r.run_id) AS stored, r.parameters
           FROM runs r WHERE run_id = $1`,
        [runId, T0],
      )
    ).rows[0] as { earliest_start: boolean; part_count: number; query_count: number | null; finished_ms: number | null; stored: number; parameters: unknown };
  const parts = async (h: Harness, runId: string) =>
    (await h.sql.query(`SELECT part_id, sources, query_count, finished_at IS NOT NULL AS finished FROM run_parts WHERE run_id = $1 ORDER BY part_id`, [runId])).rows;
  const noQueries = { queries: new QueryRows(), decisions: [] };

  it('is complete only once every part finished and all their records are stored; counts add up', async () => {
    const h = await start('ingest_parts');
    const runId = 'run-split';
    const a = part(runId, 'site-a', 2, ['ap-1'], { started: 5, finished: 900, queries: 12 });
    const b = part(runId, 'site-b', 2, ['ap-2', 'ap-3'], { started: 0, finished: 700, queries: 18 });
    const publishRun = (r: RunStarted | RunFinished) => h.bus.publishDurable('runRecord', { runId }, r, `${runId}.${r.part?.id}.${r.kind}`);
    await publishRun(a.started);
    await publishRun(b.started);
    await publishAll(h, Array.from({ length: 12 }, (_, i) => record(runId, i, { source: 'ap-1' })), (r) => `${r.runId}.${r.queryId}`);
    await publishRun(a.finished);
    await expect.poll(() => parts(h, runId), { timeout: 10_000 }).toEqual([
      { part_id: 'site-a', sources: ['ap-1'], query_count: 12, finished: true },
      { part_id: 'site-b', sources: ['ap-2', 'ap-3'], query_count: null, finished: false },
    ]);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    // One part finished and all its queries stored: not complete.
    expect(await runRow(h, runId)).toEqual({ earliest_start: true, part_count: 2, query_count: null, finished_ms: null, stored: 12, parameters: { queries: 30 } });

    await publishAll(h, Array.from({ length: 18 }, (_, i) => record(runId, 12 + i, { source: 'ap-2' })), (r) => `${r.runId}.${r.queryId}`);
    await publishRun(b.finished);
    await expect.poll(() => runRow(h, runId), { timeout: 10_000 }).toMatchObject({ query_count: 30, stored: 30 });
    // The last part's finish, the sum of the parts' counts.
    expect(await runRow(h, runId)).toMatchObject({ part_count: 2, query_count: 30, finished_ms: 900, stored: 30 });
    // A redelivered finished record (a new message id) changes nothing.
    await h.bus.publishDurable('runRecord', { runId }, a.finished, `${runId}.site-a.finished.again`);
    await expect.poll(() => h.consumer(), { timeout: 10_000 }).toMatchObject({ ackPending: 0, pending: 0 });
    expect(await runRow(h, runId)).toMatchObject({ query_count: 30, finished_ms: 900 });
    // Each part keeps its own generator's final metrics.
    const siteA: MetricFamily[] = [{ name: 'aset_queries_total', help: 'Queries', type: 'counter', values: [{ labels: { app: 'a' }, value: 12 }] }];
    await h.bus.publishDurable('runRecord', { runId }, { ...a.finished, generatorMetrics: siteA }, `${runId}.site-a.finished.metrics`);
    await expect.poll(async () => (await h.sql.query(`SELECT part_id, generator_metrics FROM run_parts WHERE run_id = $1 ORDER BY part_id`, [runId])).rows, { timeout: 10_000 }).toEqual([
      { part_id: 'site-a', generator_metrics: siteA },
      { part_id: 'site-b', generator_metrics: null },
    ]);
    expect(h.ingestor.stats.invalid).toBe(0);
  });

  it('completes a run whose parts finish in batches committed concurrently', async () => {
    const h = await start('ingest_parts_race');
    const runId = 'run-race';
    const a = part(runId, 'a', 2, ['ap-1'], { started: 0, finished: 400, queries: 3 });
    const b = part(runId, 'b', 2, ['ap-2'], { started: 1, finished: 500, queries: 4 });
    await h.writer.write({ runs: [a.started, b.started], ...noQueries });
    // Hold the run's row so that both parts' transactions are open together, then let them go at once.
    const blocker = new pg.Client({ connectionString: (h.dataSource.options as { url: string }).url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM runs WHERE run_id = $1 FOR UPDATE`, [runId]);
      const writes = [h.writer.write({ runs: [a.finished], ...noQueries }), h.writer.write({ runs: [b.finished], ...noQueries })];
      const waiting = async () =>
        Number((await h.sql.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0]?.n);
      await expect.poll(waiting, { timeout: 10_000 }).toBe(2);
      await blocker.query('COMMIT');
      await Promise.all(writes);
    } finally {
      await blocker.end();
    }
    expect(await runRow(h, runId)).toMatchObject({ part_count: 2, query_count: 7, finished_ms: 500 });
  });

  it('completes a run whatever order its parts\' records commit in, and not while a part is missing', async () => {
    const h = await start('ingest_parts_order');
    const runId = 'run-order';
    const a = part(runId, 'a', 3, ['ap-1'], { started: 2, finished: 400, queries: 3 });
    const b = part(runId, 'b', 3, ['ap-2'], { started: 1, finished: 600, queries: 4 });
    const c = part(runId, 'c', 3, ['ap-3'], { started: 0, finished: 500, queries: 0 });
    // Finished records before their started ones (separate batches may commit in any order).
    await h.writer.write({ runs: [a.finished, b.finished], ...noQueries });
    expect(await runRow(h, runId)).toMatchObject({ part_count: 3, query_count: null, finished_ms: null });
    await h.writer.write({ runs: [b.started, a.started], ...noQueries });
    expect(await runRow(h, runId)).toMatchObject({ query_count: null, finished_ms: null, parameters: { queries: 30 } });
    await h.writer.write({ runs: [c.finished], ...noQueries });
    expect(await runRow(h, runId)).toMatchObject({ query_count: 7, finished_ms: 600 });
    await h.writer.write({ runs: [c.started], ...noQueries });
    expect(await runRow(h, runId)).toMatchObject({ earliest_start: true, part_count: 3, query_count: 7, finished_ms: 600 });
  });
});

describe('QueryRows', () => {
  it('splits into row-aligned parts that concatenate to the whole', () => {
    const rows = new QueryRows(1);
    for (let i = 0; i < 5; i++) rows.append(record('run-q', i, { detail: 'x'.repeat(i * 300) }));
    const whole = Buffer.concat(rows.payload());
    const parts = [rows.slice(0, 2), rows.slice(2, 5)];
    expect(parts.map((p) => p.count)).toEqual([2, 3]);
    const [header, , trailer] = rows.payload();
    expect(Buffer.concat([header!, ...parts.map((p) => p.payload()[1]!), trailer!])).toEqual(whole);
    expect(rows.slice(1, 1).count).toBe(0);
  });

  it('refuses an integer beyond int4 without appending anything', () => {
    const rows = new QueryRows();
    expect(() => rows.append(record('run-q', 1, { label: 2 ** 31 }))).toThrow(/label/);
    expect(rows.count).toBe(0);
    expect(rows.byteLength).toBe(0);
  });
});
