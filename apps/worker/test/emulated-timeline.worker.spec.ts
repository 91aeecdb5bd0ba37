import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { InferenceReplySchema, SubjectSpace, encodeTensor, type DispatchedQuery } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { testNatsUrl } from '@aset/service-kit/testing';
import { startWorkerApp } from './worker-app.fixture.js';

/**
 * The emulated cluster keeps its own timeline: on demo's far-edge-1 (one slot, an embedded board) a
 * burst queues, and each query starts exactly when the one before it freed the slot, however late
 * the host's event loop resumed it. The board is made 40x slower than the profiling host here (demo
 * says 8x), so that a busy host's own inference stays well inside the emulated time it is padded to.
 */
const SLOWDOWN = 40;
describe('worker emulated timeline (in-process, real NATS, real ONNX)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('worker_timeline');
  const infer = new SubjectSpace(prefix).subject('clusterInfer', { clusterId: 'far-edge-1' });
  const zoo = readZoo(REPO_MANIFEST);
  const held = loadHeldOut(zoo, 'cluttered-digits');
  const variant = zoo.requireVariant('cluttered-cnn-m');

  beforeAll(async () => {
    const demo = readFileSync(join(REPO_SCENARIOS, 'demo.yaml'), 'utf8');
    const slowBoard = demo.replace('edge-board: { speedFactor: 16,', `edge-board: { speedFactor: ${SLOWDOWN},`);
    if (slowBoard === demo) throw new Error('demo.yaml no longer declares edge-board with speedFactor 16; update this test');
    const scenarioFile = join(mkdtempSync(join(tmpdir(), 'aset-timeline-')), 'demo-slow-board.yaml');
    writeFileSync(scenarioFile, slowBoard);
    nc = await connect({ servers: testNatsUrl() });
    app = await startWorkerApp(prefix, { SCENARIO_FILE: scenarioFile, CLUSTER_ID: 'far-edge-1', INSTANCE_ID: 'timeline-worker' });
    // Serving once it answers (a typed refusal) rather than "no responders".
    for (let attempt = 0; !(await nc.request(infer, 'ping', { timeout: 1000 }).then(() => true, () => false)); attempt++) {
      if (attempt === 100) throw new Error(`the worker does not answer on ${infer}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  it('starts each queued query at the instant the previous one finished, and pads each to the emulated time', async () => {
    const size = 48 * 48;
    const query = (i: number): DispatchedQuery => ({
      ...sampleQuery({ queryId: `q-${i}`, app: 'sign-reader', task: 'cluttered-digits', source: 'ap-1', slo: { maxLatencyMs: 1000, minAccuracy: 0.5 } }),
      input: encodeTensor(held.inputs.slice(i * size, (i + 1) * size), [1, 1, 48, 48]),
      decision: { clusterId: 'far-edge-1', variantId: variant.id, policy: 'closest', decidedAt: Date.now() },
    });
    const replies = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => InferenceReplySchema.parse((await nc.request(infer, JSON.stringify(query(i)), { timeout: 10_000 })).json())),
    );
    const timings = replies.map((r) => {
      if (r.status !== 'completed') throw new Error(`query ${r.queryId} ended ${r.status}`);
      return r.timing;
    });
    timings.sort((a, b) => a.startedAt - b.startedAt);
    const emulatedMs = (zoo.processingMs(variant, '1') as number) * SLOWDOWN;
    // Never shorter than the emulated time (epoch milliseconds carry about 0.25 µs of float
    // resolution); longer only when the host itself overran it, then with the host's own start.
    const processing = timings.map((t) => t.finishedAt - t.startedAt);
    for (const p of processing) expect(p).toBeGreaterThan(emulatedMs - 0.005);
    expect(processing.filter((p) => Math.abs(p - emulatedMs) < 0.005).length).toBeGreaterThanOrEqual(timings.length - 3);
    // One slot: after the first, every query waited in the queue and took over the slot at once.
    let handedOver = 0;
    for (let i = 1; i < timings.length; i++) {
      const previous = timings[i - 1]!;
      const current = timings[i]!;
      expect(current.startedAt).toBeGreaterThanOrEqual(previous.finishedAt);
      if (current.startedAt === previous.finishedAt) handedOver++;
    }
    // Not handed over: a query whose emulated link delay ended after the slot freed (it starts on
    // arrival), or one after a host overrun.
    expect(handedOver).toBeGreaterThanOrEqual(timings.length - 3);
  });
});
