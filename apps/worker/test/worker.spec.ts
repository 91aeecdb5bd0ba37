import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ClusterHeartbeatSchema, InferenceReplySchema, SubjectSpace, encodeTensor, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { ServiceMetrics } from '@aset/service-kit';
import { metricValue, testNatsUrl } from '@aset/service-kit/testing';
import { startWorkerApp } from './worker-app.fixture.js';

// Inference on the event loop (the default) and on inference threads (INFERENCE_THREAD_POOL=2).
describe.each([['0'], ['2']])('worker service (in-process, real NATS, real ONNX, INFERENCE_THREAD_POOL=%s)', (pool) => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix(`worker-pool${pool}`);
  const space = new SubjectSpace(prefix);
  const infer = space.subject('clusterInfer', { clusterId: 'cloud-1' });
  const zoo = readZoo(REPO_MANIFEST);
  const held = loadHeldOut(zoo, 'digits');

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
    app = await startWorkerApp(prefix, { CLUSTER_ID: 'cloud-1', INSTANCE_ID: 'test-worker', HEARTBEAT_MS: '100', INFERENCE_THREAD_POOL: pool });
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  const dispatched = (i: number, variantId: string, overrides: Partial<DispatchedQuery> = {}): DispatchedQuery => ({
    ...sampleQuery({ queryId: `q-${i}` }),
    input: encodeTensor(held.inputs.slice(i * 64, (i + 1) * 64), [1, 1, 8, 8]),
    decision: { clusterId: 'cloud-1', variantId, policy: 'closest', decidedAt: Date.now() },
    ...overrides,
  });
  const send = async (payload: unknown): Promise<InferenceReply> =>
    InferenceReplySchema.parse((await nc.request(infer, typeof payload === 'string' ? payload : JSON.stringify(payload), { timeout: 5000 })).json());

  it('runs the requested variant on real inputs: predictions match the labels about as often as the manifest says', async () => {
    const n = 200;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => send(dispatched(i, 'digits-cnn-m'))));
    let correct = 0;
    replies.forEach((r, i) => {
      expect(r.status).toBe('completed');
      if (r.status !== 'completed') return;
      expect(r.timing.receivedAt).toBeLessThanOrEqual(r.timing.startedAt);
      expect(r.timing.startedAt).toBeLessThanOrEqual(r.timing.finishedAt);
      if (r.prediction === held.labels[i]) correct++;
    });
    expect(Math.abs(correct / n - zoo.requireVariant('digits-cnn-m').accuracy)).toBeLessThan(0.05);
  });

  it('refuses a variant the cluster does not host, a query for another cluster, and a wrong input shape', async () => {
    expect(await send(dispatched(0, 'resnet-50'))).toMatchObject({ status: 'error', code: 'UNKNOWN_REFERENCE', queryId: 'q-0' });
    const other = dispatched(0, 'digits-mlp-s');
    other.decision.clusterId = 'far-edge-1';
    expect(await send(other)).toMatchObject({ status: 'error', code: 'UNKNOWN_REFERENCE' });
    const wide = dispatched(0, 'digits-mlp-s', { input: encodeTensor(new Float32Array(128), [1, 1, 8, 16]) });
    expect(await send(wide)).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE' });
  });

  it('answers malformed messages with a typed error and keeps serving', async () => {
    expect(await send('garbage')).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE' });
    expect(await send({ ...dispatched(0, 'digits-mlp-s'), decision: undefined })).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE', issues: [{ path: 'decision' }] });
    expect(await send(dispatched(1, 'digits-mlp-s'))).toMatchObject({ status: 'completed' });
  });

  it('exports slots, busy slots, queue length and emulation overruns to Prometheus', async () => {
    const text = await app.get(ServiceMetrics).registry.metrics();
    const cloud = { cluster: 'cloud-1', service: 'worker' };
    expect(metricValue(text, 'aset_worker_slots', cloud)).toBe(4);
    expect(metricValue(text, 'aset_worker_busy_slots', cloud)).toBe(0);
    expect(metricValue(text, 'aset_worker_queue_length', cloud)).toBe(0);
    expect(metricValue(text, 'aset_worker_emulation_overruns_total', cloud)).toBeGreaterThanOrEqual(0);
    // Every completed query so far (200 + 1 in the tests above) is in the stage histograms.
    expect(metricValue(text, 'aset_worker_processing_seconds_count', { ...cloud, variant: 'digits-cnn-m' })).toBe(200);
    expect(metricValue(text, 'aset_worker_queueing_seconds_bucket', { ...cloud, variant: 'digits-mlp-s', le: '+Inf' })).toBe(1);
    expect(metricValue(text, 'aset_worker_emulated_network_seconds_count', cloud)).toBe(201);
  });

  it('publishes heartbeats with its slots', async () => {
    const sub = nc.subscribe(space.subject('clusterHeartbeat', { clusterId: 'cloud-1' }), { max: 1 });
    for await (const m of sub) {
      expect(ClusterHeartbeatSchema.parse(m.json())).toMatchObject({ clusterId: 'cloud-1', instanceId: 'test-worker', slots: 4 });
    }
  });
});
