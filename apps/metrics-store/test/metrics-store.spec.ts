import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { RunSummarySchema, type QueryRecord } from '@aset/contracts';
import { sampleQueryRecord, uniqueTestPrefix } from '@aset/contracts/testing';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { METRICS_MIGRATIONS } from '@aset/ingestion';
import { createServiceApp, createTestDatabase, dropTestDatabase, metricValue, testNatsUrl } from '@aset/service-kit/testing';

function record(runId: string, i: number, overrides: Partial<QueryRecord> = {}): QueryRecord {
  const t = 1_764_000_000_000 + i;
  return sampleQueryRecord({
    runId,
    queryId: `q${i}`,
    policy: 'closest',
    clusterId: 'cloud-1',
    createdAt: t,
    dispatchedAt: t + 0.2,
    receivedAt: t + 0.3,
    startedAt: t + 0.5,
    finishedAt: t + 0.6,
    emulatedNetworkMs: 4,
    completedAt: t + i,
    latencyMs: i,
    sloMaxLatencyMs: 50,
    sloMinAccuracy: 0.9,
    sloMet: i <= 50,
    ...overrides,
  });
}

describe('metrics store (in-process, real NATS JetStream and PostgreSQL)', () => {
  let app: INestApplication;
  let bus: MessageBus;
  /** A plain client, for payloads the bus would not publish. */
  let raw: NatsConnection;
  let db: pg.Client;
  let dbName: string;
  let base: string;
  const prefix = uniqueTestPrefix('store');

  beforeAll(async () => {
    const testDb = await createTestDatabase('store');
    dbName = testDb.name;
    Object.assign(process.env, { NATS_URL: testNatsUrl(), NATS_PREFIX: prefix, DATABASE_URL: testDb.url, LOG_LEVEL: 'error' });
    bus = await MessageBus.connect({ servers: testNatsUrl(), name: 'store-test', prefix, logger: silentBusLogger });
    raw = await connect({ servers: testNatsUrl(), name: 'store-test-raw' });
    await bus.ensureStream('records');
    const { validateMetricsStoreEnv } = await import('../src/metrics-store.config.js');
    const { MetricsStoreModule } = await import('../src/metrics-store.module.js');
    app = await createServiceApp(validateMetricsStoreEnv, (config) => MetricsStoreModule.forRoot(config));
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    db = new pg.Client({ connectionString: testDb.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
    await bus?.deleteStream('records').catch(() => false);
    await bus?.close();
    await raw?.close();
    await dropTestDatabase(dbName);
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params)).rows[0].n);

  it('built its schema through migrations only', async () => {
    expect(await count(`SELECT count(*) AS n FROM typeorm_migrations`)).toBe(METRICS_MIGRATIONS.length);
    expect(await count(`SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'host_usage'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('runs', 'queries')`)).toBe(2);
  });

  it('stores every published record once, even when redelivered or republished', async () => {
    const runId = 'run-a';
    await bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'started', runId, scenario: 'demo', policy: 'closest', seed: 1, codeVersion: 'test', parameters: { queries: 100 }, startedAt: 1_764_000_000_000 }, `${runId}.started`);
    for (let i = 1; i <= 100; i++) await bus.publishDurable('queryRecord', { runId }, record(runId, i), `${runId}.q${i}`);
    // The same queries again under new message ids: JetStream cannot dedupe these, the store must.
    for (let i = 1; i <= 10; i++) await bus.publishDurable('queryRecord', { runId }, record(runId, i, { latencyMs: 999 }), `${runId}.q${i}.again`);
    await bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'finished', runId, queryCount: 100, finishedAt: 1_764_000_001_000 }, `${runId}.finished`);
    await expect.poll(() => count(`SELECT count(*) AS n FROM queries WHERE run_id = $1`, [runId]), { timeout: 10_000 }).toBe(100);
    await new Promise((r) => setTimeout(r, 500));
    expect(await count(`SELECT count(*) AS n FROM queries WHERE run_id = $1`, [runId])).toBe(100);
    expect(await count(`SELECT count(*) AS n FROM queries WHERE run_id = $1 AND latency_ms = 999`, [runId])).toBe(0);
    await expect.poll(async () => (await bus.consumerState('metricsStore')).ackPending).toBe(0);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metricValue(metrics, 'aset_store_records_total', { kind: 'query', outcome: 'committed' })).toBe(110);
    expect(metricValue(metrics, 'aset_store_records_total', { kind: 'run', outcome: 'committed' })).toBe(2);
    expect(metricValue(metrics, 'aset_store_query_rows_total')).toBe(100);
    expect(metricValue(metrics, 'aset_store_batch_records_sum')).toBe(112);
    expect(metricValue(metrics, 'aset_store_batch_write_seconds_count')).toBeGreaterThan(0);
    expect(metricValue(metrics, 'aset_store_consumer_backlog', { state: 'ack_pending' })).toBe(0);
    expect(metricValue(metrics, 'aset_store_consumer_backlog', { state: 'pending' })).toBe(0);
  });

  it('computes the per-policy summary in SQL', async () => {
    const res = await fetch(`${base}/reports/summary?run=run-a`);
    expect(res.status).toBe(200);
    const s = RunSummarySchema.parse(await res.json());
    expect(s).toMatchObject({ runId: 'run-a', scenario: 'demo', complete: true, storedQueries: 100, expectedQueries: 100 });
    expect(s.policies).toHaveLength(1);
    const p = s.policies[0]!;
    expect(p).toMatchObject({ policy: 'closest', queries: 100, sloMet: 50, successRatio: 0.5, drops: 0 });
    expect(p.p50Ms).toBeCloseTo(50.5, 6);
    expect(p.p95Ms).toBeCloseTo(95.05, 6);
    expect(p.p99Ms).toBeCloseTo(99.01, 6);
  });

  it('counts and terminates invalid records without blocking valid ones', async () => {
    const runId = 'run-b';
    const subject = bus.subject('queryRecord', { runId });
    const js = jetstream(raw);
    await js.publish(subject, 'not json');
    await js.publish(subject, JSON.stringify({ ...record(runId, 1), status: 'vanished' }));
    await bus.publishDurable('queryRecord', { runId }, record(runId, 2), `${runId}.q2`);
    await expect.poll(() => count(`SELECT count(*) AS n FROM queries WHERE run_id = $1`, [runId]), { timeout: 10_000 }).toBe(1);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`aset_bus_invalid_messages_total\\{subject="${prefix}\\.record\\.query\\.run-b",service="metrics-store"\\} 2`));
    expect(metricValue(metrics, 'aset_store_records_total', { kind: 'query', outcome: 'refused' })).toBe(2);
  });

  it('validates report parameters: a 400 names the parameter, injection strings included', async () => {
    for (const bad of ["x'; DROP TABLE queries; --", '1 OR 1=1', '', 'a'.repeat(65)]) {
      const res = await fetch(`${base}/reports/summary?run=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/^run: /);
    }
    expect((await fetch(`${base}/reports/summary`)).status).toBe(400);
    expect((await fetch(`${base}/reports/summary?run=unknown-run`)).status).toBe(404);
    expect(await count(`SELECT count(*) AS n FROM queries`)).toBeGreaterThan(0);
  });
});
