import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { InferenceReplySchema, type SubjectSpace } from '@aset/contracts';
import { sampleQuery } from '@aset/contracts/testing';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import type { Testbed } from '@aset/testbed';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

/**
 * All four services as separate processes over real NATS, PostgreSQL and ONNX (needs `npm run build`,
 * which `npm test` does first).
 */
describe('live testbed, end to end', () => {
  let live: LiveTestbed;
  let testbed: Testbed;
  let nc: NatsConnection;
  let space: SubjectSpace;
  let prefix: string;
  const zoo = readZoo(REPO_MANIFEST);

  beforeAll(async () => {
    live = await startLiveTestbed('e2e');
    ({ testbed, nc, space, prefix } = live);
  });

  afterAll(async () => {
    await live?.close();
  });

  const rows = async (sql: string, params: unknown[] = []) => (await live.db.query(sql, params)).rows as Record<string, unknown>[];

  it('runs 400 queries: each ends in exactly one terminal record in PostgreSQL, and recorded accuracy matches the manifest', async () => {
    const runId = 'e2e-main';
    const report = await testbed.run({ runId, queries: 400, warmupQueries: 10 });
    expect(report.recordsLost).toBe(0);
    const summary = await testbed.waitIngested(runId);
    expect(summary.storedQueries).toBe(410);
    // The host's usage during the run is recorded with it, as measured.
    await expect.poll(async () => (await testbed.summary(runId))?.host, { timeout: 10_000 }).toEqual(report.host);
    expect(Object.keys(report.host.serviceCpuMs)).toEqual(expect.arrayContaining(['scheduler', 'metrics-store', 'worker-far-edge-1']));

    const [counts] = await rows(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS distinct_ids FROM queries WHERE run_id = $1`, [runId]);
    expect(counts).toEqual({ n: 410, distinct_ids: 410 });
    const expectedIds = Array.from({ length: 410 }, (_, i) => `q${String(i).padStart(7, '0')}`);
    const ids = (await rows(`SELECT query_id FROM queries WHERE run_id = $1 ORDER BY query_id`, [runId])).map((r) => r['query_id']);
    expect(ids).toEqual(expectedIds);

    const statuses = await rows(`SELECT status, count(*)::int AS n FROM queries WHERE run_id = $1 GROUP BY status`, [runId]);
    expect(statuses).toEqual([{ status: 'completed', n: 410 }]);
    const [lifecycle] = await rows(
      `SELECT count(*) FILTER (WHERE created_at <= dispatched_at AND dispatched_at <= started_at + interval '5 ms'
                                 AND started_at <= finished_at AND finished_at <= completed_at + interval '5 ms')::int AS ordered
         FROM queries WHERE run_id = $1`,
      [runId],
    );
    expect(lifecycle).toEqual({ ordered: 410 });

    const byVariant = await rows(
      `SELECT variant_id, count(*)::int AS n, avg((prediction = label)::int)::float8 AS accuracy
         FROM queries WHERE run_id = $1 AND status = 'completed' GROUP BY variant_id`,
      [runId],
    );
    expect(byVariant.length).toBeGreaterThan(1);
    // Over all completed queries: the accuracy the manifest predicts for this mix of variants.
    const total = byVariant.reduce((a, v) => a + (v['n'] as number), 0);
    const expected = byVariant.reduce((a, v) => a + (v['n'] as number) * zoo.requireVariant(v['variant_id'] as string).accuracy, 0) / total;
    const observed = byVariant.reduce((a, v) => a + (v['n'] as number) * (v['accuracy'] as number), 0) / total;
    expect(Math.abs(observed - expected), `recorded ${observed.toFixed(3)} vs manifest ${expected.toFixed(3)} over ${total} queries`).toBeLessThan(0.05);
    // Per variant, where enough queries ran on it for 5 points to be more than 3 standard errors.
    for (const v of byVariant) {
      const acc = zoo.requireVariant(v['variant_id'] as string).accuracy;
      const n = v['n'] as number;
      if (3 * Math.sqrt((acc * (1 - acc)) / n) > 0.05) continue;
      expect(Math.abs((v['accuracy'] as number) - acc), `${v['variant_id']} over ${n} queries`).toBeLessThan(0.05);
    }

    expect(summary.policies).toHaveLength(1);
    expect(summary.policies[0]).toMatchObject({ policy: 'closest', queries: 400 });
    expect(summary.policies[0]!.successRatio).toBeCloseTo(report.summary.successRatio, 10);
  });

  it('answers or drops malformed messages on every subject, and every service keeps running', async () => {
    const garbage = new TextEncoder().encode('{"schemaVersion":1,"queryId":"q-bad"');
    for (const subject of [space.subject('scheduleQuery'), space.subject('clusterInfer', { clusterId: 'near-edge-1' })]) {
      const reply = InferenceReplySchema.parse((await nc.request(subject, garbage, { timeout: 3000 })).json());
      expect(reply, subject).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE' });
      const wrong = InferenceReplySchema.parse((await nc.request(subject, JSON.stringify({ ...sampleQuery(), schemaVersion: 3 }), { timeout: 3000 })).json());
      expect(wrong, subject).toMatchObject({ status: 'error', code: 'UNSUPPORTED_SCHEMA_VERSION' });
    }
    nc.publish(space.subject('clusterHeartbeat', { clusterId: 'cloud-1' }), garbage);
    nc.publish(space.subject('clusterHeartbeat', { clusterId: 'cloud-1' }), JSON.stringify({ schemaVersion: 1, clusterId: 'cloud-1', slots: -1 }));
    await nc.flush();
    // JetStream subjects: the store counts, terminates and moves on.
    const js = jetstream(nc);
    await js.publish(space.subject('queryRecord', { runId: 'e2e-bad' }), garbage);
    await js.publish(space.subject('runRecord', { runId: 'e2e-bad' }), JSON.stringify({ schemaVersion: 1, kind: 'paused' }));

    const metricsOf = async (name: string) => {
      const proc = testbed.processes.get(name)!;
      const port = proc.options.env['HTTP_PORT'];
      return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    };
    await expect.poll(() => metricsOf('scheduler')).toMatch(new RegExp(`aset_bus_invalid_messages_total\\{subject="${prefix}\\.cluster\\.cloud-1\\.heartbeat",service="scheduler"\\} 2`));
    await expect.poll(() => metricsOf('metrics-store')).toMatch(new RegExp(`aset_bus_invalid_messages_total\\{subject="${prefix}\\.record\\.query\\.e2e-bad",service="metrics-store"\\} 1`));
    await expect.poll(() => metricsOf('metrics-store')).toMatch(new RegExp(`aset_bus_invalid_messages_total\\{subject="${prefix}\\.record\\.run\\.e2e-bad",service="metrics-store"\\} 1`));

    for (const [name, proc] of testbed.processes) expect(proc.running, name).toBe(true);
    const after = await testbed.run({ runId: 'e2e-after', queries: 30, warmupQueries: 0 });
    expect(after.summary.completed).toBe(30);
    expect((await testbed.waitIngested('e2e-after')).storedQueries).toBe(30);
  });
});
