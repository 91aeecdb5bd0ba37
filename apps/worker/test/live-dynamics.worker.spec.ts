import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ClusterHeartbeatSchema, InferenceReplySchema, SubjectSpace, encodeTensor, type DispatchedQuery, type RunClock } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { testNatsUrl } from '@aset/service-kit/testing';
import { startWorkerApp } from './worker-app.fixture.js';

/** Scenario times of the dynamics added to demo for this test, seconds from the run's origin. */
const DEGRADED = { startSec: 1, durationSec: 1.5 };
const OUTAGE = { startSec: 4, durationSec: 1.5 };
const HEARTBEAT_MS = 100;

/**
 * The scenario's dynamics, played live by a real worker (far-edge-1 of demo, real ONNX inference,
 * real NATS) on a run clock published as the generator publishes it: a link degradation changes
 * the emulated link of the queries dispatched in its window; an outage makes the cluster dark (no
 * responder, no heartbeats), loses the query it was running, and ends on time.
 */
describe('worker playing the scenario dynamics live', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('worker_dynamics');
  const space = new SubjectSpace(prefix);
  const infer = space.subject('clusterInfer', { clusterId: 'far-edge-1' });
  const zoo = readZoo(REPO_MANIFEST);
  const held = loadHeldOut(zoo, 'digits');
  const cluttered = loadHeldOut(zoo, 'cluttered-digits');
  const beats: number[] = [];
  let originAt = 0;

  beforeAll(async () => {
    const demo = readFileSync(join(REPO_SCENARIOS, 'demo.yaml'), 'utf8');
    const withDynamics = `${demo}
dynamics:
  - { kind: link-degradation, clusters: [far-edge-1], sources: [ap-1], startSec: ${DEGRADED.startSec}, durationSec: ${DEGRADED.durationSec}, rttMultiplier: 10, extraRttMs: 50 }
  - { kind: outage, clusters: [far-edge-1], startSec: ${OUTAGE.startSec}, durationSec: ${OUTAGE.durationSec} }
`;
    const scenarioFile = join(mkdtempSync(join(tmpdir(), 'aset-dynamics-')), 'demo-dynamics.yaml');
    writeFileSync(scenarioFile, withDynamics);
    nc = await connect({ servers: testNatsUrl() });
    nc.subscribe(space.subject('clusterHeartbeat', { clusterId: 'far-edge-1' }), {
      callback: (_e, m) => {
        beats.push(ClusterHeartbeatSchema.parse(m.json()).sentAt);
      },
    });
    app = await startWorkerApp(prefix, { SCENARIO_FILE: scenarioFile, CLUSTER_ID: 'far-edge-1', INSTANCE_ID: 'dynamics-worker', HEARTBEAT_MS: String(HEARTBEAT_MS) });
    await nc.flush();
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  const announce = (phase: RunClock['phase'], runId = 'dyn-run', part?: RunClock['part']) => {
    const clock: RunClock = { schemaVersion: 1, runId, scenario: 'demo', originAt, phase, sentAt: Date.now(), ...(part ? { part } : {}) };
    nc.publish(space.subject('runClock', { runId }), JSON.stringify(clock));
  };
  const query = (i: number, decidedAt = Date.now()): DispatchedQuery => ({
    ...sampleQuery({ queryId: `q-${i}`, app: 'digit-reader', task: 'digits', source: 'ap-1', slo: { maxLatencyMs: 1000, minAccuracy: 0.5 } }),
    input: encodeTensor(held.inputs.slice(i * 64, (i + 1) * 64), [1, 1, 8, 8]),
    decision: { clusterId: 'far-edge-1', variantId: 'digits-mlp-s', policy: 'closest', decidedAt },
  });
  const ask = async (i: number, timeout = 3000) => InferenceReplySchema.parse((await nc.request(infer, JSON.stringify(query(i)), { timeout })).json());
  const networkOf = async (i: number) => {
    const r = await ask(i);
    if (r.status !== 'completed') throw new Error(`query ${i} ended ${r.status}`);
    return r.timing.emulatedNetworkMs as number;
  };
  const until = (atSec: number) => new Promise((r) => setTimeout(r, Math.max(0, originAt + atSec * 1000 - Date.now())));

  it('degrades the link in its window, goes dark for the outage (no responder, no heartbeats, the running query lost) and comes back', async () => {
    // Nominal ap-1 -> far-edge-1: RTT 4 ms, jitter 0.6 ms.
    expect(await networkOf(1)).toBeLessThan(10);

    originAt = Date.now() + 200;
    announce('running');
    await until(DEGRADED.startSec + 0.2);
    // Degraded: RTT 4 * 10 + 50 = 90 ms, so about 90 ms of emulated network per query.
    const degraded = await networkOf(2);
    expect(degraded).toBeGreaterThan(80);
    expect(degraded).toBeLessThan(110);
    await until(DEGRADED.startSec + DEGRADED.durationSec + 0.1);
    expect(await networkOf(3)).toBeLessThan(10);

    // A burst of cluttered-cnn-m queries (one slot, 0.97 ms x 16 each) sent 40 ms before the outage:
    // those still queued or running when it begins are lost, never answered.
    await until(OUTAGE.startSec - 0.04);
    const sentAt = Date.now();
    const burst = Array.from({ length: 8 }, (_, i) => {
      const q: DispatchedQuery = {
        ...sampleQuery({ queryId: `b-${i}`, app: 'sign-reader', task: 'cluttered-digits', source: 'ap-1', slo: { maxLatencyMs: 1000, minAccuracy: 0.5 } }),
        input: encodeTensor(cluttered.inputs.slice(i * 2304, (i + 1) * 2304), [1, 1, 48, 48]),
        decision: { clusterId: 'far-edge-1', variantId: 'cluttered-cnn-m', policy: 'closest', decidedAt: sentAt },
      };
      return nc.request(infer, JSON.stringify(q), { timeout: 2500 }).then(
        (m) => ({ answered: true, finishedAt: (InferenceReplySchema.parse(m.json()) as { timing?: { finishedAt: number } }).timing?.finishedAt ?? 0 }),
        (e: Error) => ({ answered: false, error: e.message }),
      );
    });
    await until(OUTAGE.startSec + 0.3);
    // Dark: nothing serves the subject, so a dispatch learns it at once.
    const dark = await nc.request(infer, JSON.stringify(query(5)), { timeout: 2000 }).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    expect(dark).toMatch(/no responders/i);
    const beatsInOutage = beats.filter((t) => t >= originAt + OUTAGE.startSec * 1000 + 20 && t < originAt + (OUTAGE.startSec + OUTAGE.durationSec) * 1000 - 20);
    await until(OUTAGE.startSec + OUTAGE.durationSec + 0.3);
    expect(beatsInOutage).toEqual([]);
    expect(beats.filter((t) => t >= originAt + (OUTAGE.startSec + OUTAGE.durationSec) * 1000).length).toBeGreaterThan(0);
    const outcomes = await Promise.all(burst);
    const outageAt = originAt + OUTAGE.startSec * 1000;
    const answered = outcomes.filter((o) => o.answered) as { finishedAt: number }[];
    expect(answered.length, 'some of the burst finished before the outage').toBeGreaterThan(0);
    expect(answered.length, 'some of the burst was still there when it began').toBeLessThan(outcomes.length);
    for (const o of answered) expect(o.finishedAt).toBeLessThan(outageAt + 1);
    for (const o of outcomes.filter((x) => !x.answered)) expect((o as { error: string }).error).toMatch(/timeout/i);
    expect((await ask(6)).status).toBe('completed');

    announce('finished');
  });

  it('keeps a run split over generators under way until every part has announced finished', async () => {
    const responds = async () =>
      nc.request(infer, JSON.stringify(query(7)), { timeout: 2000 }).then(
        () => true,
        (e: Error) => (/no responders/i.test(e.message) ? false : Promise.reject(e)),
      );
    // The origin puts the run inside the outage window, which lasts long after the test.
    originAt = Date.now() - (OUTAGE.startSec + 0.5) * 1000;
    for (const id of ['central', 'cell-1']) announce('running', 'split-run', { id, count: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await responds(), 'dark in the outage').toBe(false);
    announce('finished', 'split-run', { id: 'cell-1', count: 2 });
    announce('finished', 'split-run', { id: 'cell-1', count: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await responds(), 'still dark: one part of two has finished, twice').toBe(false);
    announce('finished', 'split-run', { id: 'central', count: 2 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await responds(), 'back once both parts have finished').toBe(true);
  });
});
