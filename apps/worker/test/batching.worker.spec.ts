import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InferenceReplySchema, SubjectSpace, encodeTensor, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { OnnxModelRunner } from '@aset/inference';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { ServiceMetrics } from '@aset/service-kit';
import { metricValue, testNatsUrl } from '@aset/service-kit/testing';
import { startWorkerApp } from './worker-app.fixture.js';

const SPEED = 16;
const DELAY_MS = 20;

/**
 * One one-slot cluster hosting cluttered-cnn-m with dynamic batching (up to 4, 20 ms of queue
 * delay) on hardware 16x slower than the profiling host, network emulation off: queries sent
 * together run in batches of 4, each lasting the profiled batch-4 time x 16, every query answered
 * with its own prediction; a lone query waits the delay first.
 */
describe('worker with dynamic batching (in-process, real NATS, real ONNX)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('batching');
  const space = new SubjectSpace(prefix);
  const infer = space.subject('clusterInfer', { clusterId: 'edge' });
  const zoo = readZoo(REPO_MANIFEST);
  const variant = zoo.requireVariant('cluttered-cnn-m');
  const task = zoo.task('cluttered-digits')!;
  const size = task.inputShape.reduce((a, b) => a * b, 1);
  const held = loadHeldOut(zoo, 'cluttered-digits');
  const profiled = (n: number) => (zoo.batchMs(variant, n) as number) * SPEED;

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aset-batching-')), 'batching.yaml');
    writeFileSync(
      file,
      `
schemaVersion: 1
name: batching
hardwareClasses: { board: { speedFactor: ${SPEED} } }
clusters:
  - { id: edge, tier: far-edge, hardware: board, slots: 1, variants: [cluttered-cnn-m], batching: { cluttered-cnn-m: { maxBatchSize: 4, maxQueueDelayMs: ${DELAY_MS} } } }
sources: [{ id: ap-1 }]
links: [{ source: ap-1, cluster: edge, rttMs: 4, bandwidthMbps: 100, jitterMs: 0 }]
applications: [{ id: sign-reader, task: cluttered-digits, slo: { maxLatencyMs: 400, minAccuracy: 0.9 } }]
workload: { queries: 10, arrivals: [{ source: ap-1, app: sign-reader, process: { kind: poisson, ratePerSec: 10 } }] }
`,
    );
    nc = await connect({ servers: testNatsUrl() });
    app = await startWorkerApp(prefix, { SCENARIO_FILE: file, CLUSTER_ID: 'edge', INSTANCE_ID: 'batching-worker', EMULATE_NETWORK: 'false', EMULATE_HARDWARE: 'true' });
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  const dispatched = (i: number): DispatchedQuery => ({
    ...sampleQuery({ queryId: `q-${i}`, app: 'sign-reader', source: 'ap-1', task: 'cluttered-digits', slo: { maxLatencyMs: 400, minAccuracy: 0.9 } }),
    input: encodeTensor(held.inputs.slice(i * size, (i + 1) * size), [1, ...task.inputShape]),
    decision: { clusterId: 'edge', variantId: 'cluttered-cnn-m', policy: 'closest', decidedAt: Date.now() },
  });
  const send = async (q: DispatchedQuery): Promise<InferenceReply> => InferenceReplySchema.parse((await nc.request(infer, JSON.stringify(q), { timeout: 10_000 })).json());
  const completed = (r: InferenceReply) => {
    if (r.status !== 'completed') throw new Error(`${r.queryId} ended ${r.status}`);
    return r;
  };

  it('runs queries sent together as batches of up to 4, each lasting the profiled batch time x the speed factor, each query with its own prediction', async () => {
    const replies = (await Promise.all(Array.from({ length: 8 }, (_, i) => send(dispatched(i))))).map(completed);
    const batches = new Map<number, typeof replies>();
    for (const r of replies) batches.set(r.timing.startedAt, [...(batches.get(r.timing.startedAt) ?? []), r]);
    const sizes = [...batches.values()].map((b) => b.length).sort();
    // The first batch may start before all 8 arrived (it fills at 4); none is larger than 4.
    expect(Math.max(...sizes)).toBe(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(8);
    // Each batch lasts its emulated time; only a run slower on this host than that (an overrun, counted) lasts longer.
    let longer = 0;
    for (const b of batches.values()) {
      const ms = new Set(b.map((r) => r.timing.finishedAt - r.timing.startedAt));
      expect(ms.size).toBe(1);
      const processing = [...ms][0] as number;
      expect(processing).toBeGreaterThanOrEqual(profiled(b.length) - 1e-3);
      if (processing > profiled(b.length) + 1e-3) longer++;
    }
    // Each prediction is the model's on that query's own input (a batch keeps its rows in order).
    const runner = await OnnxModelRunner.load(zoo, variant);
    const expected = (await runner.run(held.inputs.slice(0, 8 * size), 8)).predictions;
    await runner.release();
    for (const r of replies) expect(r.prediction, r.queryId).toBe(expected[Number(r.queryId.slice(2))]);
    const text = await app.get(ServiceMetrics).registry.metrics();
    const labels = { cluster: 'edge', service: 'worker', variant: 'cluttered-cnn-m' };
    expect(metricValue(text, 'aset_worker_batch_size_count', labels)).toBe(batches.size);
    expect(metricValue(text, 'aset_worker_batch_size_sum', labels)).toBe(8);
    expect(longer).toBeLessThanOrEqual(metricValue(text, 'aset_worker_emulation_overruns_total', { cluster: 'edge', service: 'worker' }) as number);
  });

  it('starts a lone query once it has waited the queue delay, as a batch of 1', async () => {
    const r = completed(await send(dispatched(20)));
    expect(r.timing.startedAt - r.timing.receivedAt).toBeGreaterThanOrEqual(DELAY_MS - 1e-3);
    expect(r.timing.finishedAt - r.timing.startedAt).toBeGreaterThanOrEqual(profiled(1) - 1e-3);
  });
});
