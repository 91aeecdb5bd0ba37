import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ClusterHeartbeatSchema, InferenceReplySchema, SubjectSpace, encodeTensor, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { ServiceMetrics } from '@aset/service-kit';
import { metricValue, testNatsUrl } from '@aset/service-kit/testing';
import { startWorkerApp } from './worker-app.fixture.js';

/**
 * scenarios/overload.yaml's edge-a: one slot, maxQueue 1, about 78 ms of emulated processing per
 * query. A burst of queries far larger than one slot and one waiting place gets refused in part,
 * each refusal a typed QUEUE_FULL error at once, and the queue never holds more than one.
 */
describe('worker with a bounded queue (in-process, real NATS, real ONNX)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('queuebound');
  const space = new SubjectSpace(prefix);
  const infer = space.subject('clusterInfer', { clusterId: 'edge-a' });
  const zoo = readZoo(REPO_MANIFEST);
  const task = zoo.task('cluttered-digits')!;
  const size = task.inputShape.reduce((a, b) => a * b, 1);
  const held = loadHeldOut(zoo, 'cluttered-digits');
  const queueLengths: number[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
    const beats = nc.subscribe(space.subject('clusterHeartbeat', { clusterId: 'edge-a' }));
    void (async () => {
      for await (const m of beats) queueLengths.push(ClusterHeartbeatSchema.parse(m.json()).queueLength);
    })();
    app = await startWorkerApp(prefix, { SCENARIO_FILE: join(REPO_SCENARIOS, 'overload.yaml'), CLUSTER_ID: 'edge-a', INSTANCE_ID: 'queue-bound-worker', HEARTBEAT_MS: '50' });
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  const dispatched = (i: number): DispatchedQuery => ({
    ...sampleQuery({ queryId: `q-${i}`, app: 'sign-reader', source: 'ap-1', task: 'cluttered-digits', slo: { maxLatencyMs: 400, minAccuracy: 0.9 } }),
    input: encodeTensor(held.inputs.slice(i * size, (i + 1) * size), [1, ...task.inputShape]),
    decision: { clusterId: 'edge-a', variantId: 'cluttered-cnn-m', policy: 'latency-aware', decidedAt: Date.now() },
  });
  const send = async (q: DispatchedQuery): Promise<InferenceReply> => InferenceReplySchema.parse((await nc.request(infer, JSON.stringify(q), { timeout: 10_000 })).json());

  it('refuses with QUEUE_FULL, carrying the decision, what finds the slot busy and one waiting; serves the rest; every query gets one answer', async () => {
    const n = 30;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => send(dispatched(i))));
    const completed = replies.filter((r) => r.status === 'completed');
    const refused = replies.filter((r) => r.status === 'error');
    expect(completed.length + refused.length).toBe(n);
    expect(new Set(replies.map((r) => r.queryId)).size).toBe(n);
    // 30 queries of 78 ms each on one slot: most must have found it busy with one waiting.
    expect(refused.length).toBeGreaterThan(0);
    // A refusal needs one running and one waiting, and those are served.
    expect(completed.length).toBeGreaterThanOrEqual(2);
    for (const r of refused) {
      expect(r).toMatchObject({ code: 'QUEUE_FULL', decision: { clusterId: 'edge-a', variantId: 'cluttered-cnn-m', policy: 'latency-aware' } });
      expect(r.status === 'error' && r.message).toMatch(/edge-a refused the query: its 1 slots are busy and 1 queries wait \(maxQueue 1\)/);
    }
    const text = await app.get(ServiceMetrics).registry.metrics();
    expect(metricValue(text, 'aset_worker_refused_total', { cluster: 'edge-a', service: 'worker' })).toBe(refused.length);
    expect(metricValue(text, 'aset_worker_processing_seconds_count', { cluster: 'edge-a', service: 'worker', variant: 'cluttered-cnn-m' })).toBe(completed.length);
  });

  it('never reports more than maxQueue queries waiting, and serves again once the queue drains', async () => {
    expect(queueLengths.length).toBeGreaterThan(0);
    expect(Math.max(...queueLengths)).toBeLessThanOrEqual(1);
    expect(await send(dispatched(40))).toMatchObject({ status: 'completed', queryId: 'q-40' });
  });
});
