import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  ClusterHeartbeatSchema,
  InferenceReplySchema,
  SubjectSpace,
  encodeTensor,
  type ClusterHeartbeat,
  type DispatchedQuery,
  type InferenceReply,
  type RunClock,
} from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { ServiceMetrics } from '@aset/service-kit';
import { createServiceApp, metricValue, testNatsUrl, useServiceTestEnv } from '@aset/service-kit/testing';
import { HostedModels } from '../src/hosted.models.js';

/** demo-dynamics is demo plus dynamics; its outage darkens near-edge-1 from 28 s to 38 s of scenario time. */
const SCENARIO_FILE = join(REPO_SCENARIOS, 'demo-dynamics.yaml');
const OUTAGE = { cluster: 'near-edge-1', startSec: 28 };
/** Slots and hardware speed factors of the hosted clusters in demo. */
const HOSTED = { 'far-edge-1': { slots: 1, speedFactor: 16 }, 'near-edge-1': { slots: 2, speedFactor: 5 }, 'cloud-1': { slots: 4, speedFactor: 2 } } as const;
type HostedId = keyof typeof HOSTED;
const HOSTED_IDS = Object.keys(HOSTED) as HostedId[];
const HEARTBEAT_MS = 100;
/** Hosted by each of the three clusters, so every query below runs on the same shared session. */
const VARIANT = 'cluttered-cnn-m';

/**
 * One worker process hosting three clusters of demo (CLUSTER_IDS), real NATS and real ONNX: each
 * cluster serves its own subject with its own decisions, variants, links, hardware and slots,
 * heartbeats on its own, and goes dark alone in its outage; the ONNX sessions are shared.
 */
describe('worker hosting several clusters', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('worker_multi');
  const space = new SubjectSpace(prefix);
  const infer = (clusterId: string) => space.subject('clusterInfer', { clusterId });
  const zoo = readZoo(REPO_MANIFEST);
  const held = loadHeldOut(zoo, 'cluttered-digits');
  const profiledMs = zoo.processingMs(zoo.requireVariant(VARIANT), '1') as number;
  const beats = new Map<string, ClusterHeartbeat[]>(['far-edge-2', ...HOSTED_IDS].map((id) => [id, []]));
  /** Completed replies per cluster, to check the processed counts heartbeats carry. */
  const completed = new Map<string, number>(HOSTED_IDS.map((id) => [id, 0]));
  let queries = 0;

  beforeAll(async () => {
    useServiceTestEnv(prefix, {
      SCENARIO_FILE,
      CLUSTER_IDS: HOSTED_IDS.join(','),
      INSTANCE_ID: 'multi-worker',
      HEARTBEAT_MS: String(HEARTBEAT_MS),
    });
    nc = await connect({ servers: testNatsUrl() });
    for (const [id, list] of beats) {
      nc.subscribe(space.subject('clusterHeartbeat', { clusterId: id }), { callback: (_e, m) => void list.push(ClusterHeartbeatSchema.parse(m.json())) });
    }
    await nc.flush();
    const { validateWorkerEnv } = await import('../src/worker.config.js');
    const { WorkerModule } = await import('../src/worker.module.js');
    app = await createServiceApp(validateWorkerEnv, (config) => WorkerModule.forRoot(config));
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await nc?.close();
    await app?.close();
  });

  const query = (decidedFor: string, variantId = VARIANT): DispatchedQuery => {
    const i = queries++;
    const sample = i % 100;
    return {
      ...sampleQuery({ queryId: `q-${i}`, app: 'sign-reader', task: 'cluttered-digits', source: 'ap-1', slo: { maxLatencyMs: 1000, minAccuracy: 0.5 } }),
      input: encodeTensor(held.inputs.slice(sample * 2304, (sample + 1) * 2304), [1, 1, 48, 48]),
      decision: { clusterId: decidedFor, variantId, policy: 'closest', decidedAt: Date.now() },
    };
  };
  const send = async (subjectOf: string, q: DispatchedQuery): Promise<InferenceReply> => {
    const reply = InferenceReplySchema.parse((await nc.request(infer(subjectOf), JSON.stringify(q), { timeout: 5000 })).json());
    if (reply.status === 'completed') completed.set(subjectOf, (completed.get(subjectOf) ?? 0) + 1);
    return reply;
  };
  const completedTiming = (r: InferenceReply) => {
    if (r.status !== 'completed') throw new Error(`query ${r.queryId} ended ${r.status}: ${JSON.stringify(r)}`);
    return { ...r.timing, decidedFor: r.decision.clusterId };
  };
  const scrape = async () => app.get(ServiceMetrics).registry.metrics();
  /** Resolves once `cluster` has sent `count` more heartbeats than now. */
  const moreBeats = async (cluster: string, count: number) => {
    const list = beats.get(cluster) as ClusterHeartbeat[];
    const target = list.length + count;
    for (let attempt = 0; list.length < target; attempt++) {
      if (attempt === 200) throw new Error(`no ${count} more heartbeats of ${cluster}`);
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS / 4));
    }
  };
  /** 'answered', or why not: no responders, or a timeout when the query was lost to an outage. */
  const answered = (subject: string, q: DispatchedQuery) =>
    nc.request(infer(subject), JSON.stringify(q), { timeout: 1000 }).then(
      () => 'answered',
      (e: Error) => e.message,
    );

  it('serves each hosted cluster on its own subject with its own decisions, variants, links and hardware', async () => {
    for (const id of HOSTED_IDS) {
      const timing = completedTiming(await send(id, query(id)));
      expect(timing.decidedFor).toBe(id);
      // Processing lasts the variant's profile times this cluster's own speed factor; the host
      // never needs anywhere near the slowest board's time for this model.
      const processing = timing.finishedAt - timing.startedAt;
      expect(processing).toBeGreaterThan(profiledMs * HOSTED[id].speedFactor - 0.005);
      if (HOSTED[id].speedFactor < 16) expect(processing).toBeLessThan(profiledMs * 16);
    }
    // Links are each cluster's own: ap-1 is 4 ms from far-edge-1 and 60 ms from cloud-1 (RTT, jitter seeded per query).
    expect(completedTiming(await send('far-edge-1', query('far-edge-1'))).emulatedNetworkMs).toBeLessThan(12);
    expect(completedTiming(await send('cloud-1', query('cloud-1'))).emulatedNetworkMs).toBeGreaterThan(40);

    // A subject is its cluster's endpoint: a query decided for another cluster is refused there, by that cluster.
    expect(await send('cloud-1', query('far-edge-1'))).toMatchObject({ status: 'error', code: 'UNKNOWN_REFERENCE', message: expect.stringMatching(/this is cloud-1/) });
    // Sessions are shared, hosting is not: cloud-1 hosts digits-cnn-m, far-edge-1 does not.
    expect(await send('far-edge-1', query('far-edge-1', 'digits-cnn-m'))).toMatchObject({
      status: 'error',
      code: 'UNKNOWN_REFERENCE',
      message: expect.stringMatching(/cluster far-edge-1 does not host variant digits-cnn-m/),
    });
    const models = app.get(HostedModels);
    const [far, near, cloud] = models.clusters;
    expect(models.clusters.map((c) => c.id)).toEqual(HOSTED_IDS);
    expect(models.runnersOf(far!).get(VARIANT)).toBe(models.runnersOf(cloud!).get(VARIANT));
    expect(models.runnersOf(near!).get(VARIANT)).toBe(models.runnersOf(cloud!).get(VARIANT));
    expect(models.variantIds.length).toBe(new Set([far!, near!, cloud!].flatMap((c) => c.variants)).size);
    // INFERENCE_THREAD_POOL=auto (the default): the models profiled at 0.5 ms or more run on inference threads, given a second core.
    const offThread = Object.fromEntries([...models.runnersOf(cloud!)].map(([id, runner]) => [id, runner.offThread]));
    const threaded = availableParallelism() >= 2;
    expect(offThread).toEqual({
      'digits-linear-xs': false,
      'digits-mlp-s': false,
      'digits-cnn-m': false,
      'cluttered-cnn-xs': false,
      'cluttered-cnn-s': false,
      'cluttered-cnn-m': threaded,
      'cluttered-cnn-l': threaded,
    });
  });

  it('lists the hosted clusters in /health', async () => {
    const health = (await (await fetch(`${await app.getUrl()}/health`)).json()) as { info: { models: { clusters: string[]; variants: string[]; inference: string } } };
    expect(health.info.models.clusters).toEqual(HOSTED_IDS);
    expect(health.info.models.variants).toContain(VARIANT);
    expect(health.info.models.inference).toMatch(availableParallelism() >= 2 ? /^cluttered-cnn-m, cluttered-cnn-l on \d+ inference thread\(s\), .* on the event loop \(INFERENCE_THREAD_POOL=auto/ : /^every model on the event loop/);
  });

  it("keeps slots per cluster: far-edge-1's full queue does not hold up near-edge-1's query", async () => {
    // far-edge-1 has one slot and takes 16 x profile per query: a burst of 16 queues there.
    const burst = Array.from({ length: 16 }, () => send('far-edge-1', query('far-edge-1')));
    for (let attempt = 0; ; attempt++) {
      if ((metricValue(await scrape(), 'aset_worker_queue_length', { cluster: 'far-edge-1' }) ?? 0) >= 8) break;
      if (attempt === 400) throw new Error('far-edge-1 never queued 8 queries');
      await new Promise((r) => setTimeout(r, 5));
    }
    const text = await scrape();
    expect(metricValue(text, 'aset_worker_busy_slots', { cluster: 'far-edge-1' })).toBe(1);
    for (const id of ['near-edge-1', 'cloud-1']) expect(metricValue(text, 'aset_worker_queue_length', { cluster: id })).toBe(0);

    const other = completedTiming(await send('near-edge-1', query('near-edge-1')));
    const queued = (await Promise.all(burst)).map(completedTiming);
    // At least 8 far-edge-1 queries (8 x 16 x profile of emulated time) were still waiting when
    // near-edge-1 got its query: near-edge-1 finished it before the last of them started.
    expect(other.finishedAt).toBeLessThan(Math.max(...queued.map((t) => t.startedAt)));
    // far-edge-1's queue was its own: one query at a time, each after the one before it.
    queued.sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < queued.length; i++) expect(queued[i]!.startedAt).toBeGreaterThanOrEqual(queued[i - 1]!.finishedAt);
  });

  it('heartbeats each hosted cluster on its own subject with its own slots and processed count, once per period', async () => {
    await moreBeats('cloud-1', 2);
    const from = new Map(HOSTED_IDS.map((id) => [id, beats.get(id)!.length]));
    await moreBeats('cloud-1', 5);
    // One ticker for every cluster: each got one heartbeat per period (give or take the tick under way).
    const cloudCount = beats.get('cloud-1')!.length - from.get('cloud-1')!;
    for (const id of HOSTED_IDS) expect(Math.abs(beats.get(id)!.length - from.get(id)! - cloudCount)).toBeLessThanOrEqual(1);
    for (const id of HOSTED_IDS) {
      const last = beats.get(id)!.at(-1)!;
      expect(last).toMatchObject({ clusterId: id, instanceId: 'multi-worker', slots: HOSTED[id].slots, busySlots: 0, queueLength: 0 });
      expect(last.processed).toBe(completed.get(id));
    }
    expect(beats.get('far-edge-2')).toEqual([]);
  });

  it("darkens only the cluster in its outage: near-edge-1 stops serving and heartbeating, the others carry on, and it is back when the run ends", async () => {
    const run = (phase: RunClock['phase'], originAt: number) =>
      nc.publish(space.subject('runClock', { runId: 'multi-run' }), JSON.stringify({ schemaVersion: 1, runId: 'multi-run', scenario: 'demo-dynamics', originAt, phase, sentAt: Date.now() } satisfies RunClock));
    // Scenario time 29 s now: one second into near-edge-1's outage (28-38 s).
    const originAt = Date.now() - (OUTAGE.startSec + 1) * 1000;
    run('running', originAt);
    for (let attempt = 0; (await answered(OUTAGE.cluster, query(OUTAGE.cluster))) === 'answered'; attempt++) {
      if (attempt === 50) throw new Error(`${OUTAGE.cluster} never went dark`);
    }
    expect(await answered(OUTAGE.cluster, query(OUTAGE.cluster))).toMatch(/no responders/i);
    const darkBeats = beats.get(OUTAGE.cluster)!.length;
    await moreBeats('cloud-1', 3);
    expect(beats.get(OUTAGE.cluster)!.length, 'no heartbeat from the dark cluster').toBe(darkBeats);
    await moreBeats('far-edge-1', 1);
    for (const id of ['far-edge-1', 'cloud-1']) expect((await send(id, query(id))).status).toBe('completed');

    run('finished', originAt);
    await moreBeats(OUTAGE.cluster, 1);
    expect((await send(OUTAGE.cluster, query(OUTAGE.cluster))).status).toBe('completed');
  });
});

describe('worker cluster selection (CLUSTER_ID, CLUSTER_IDS)', () => {
  const base = { SCENARIO_FILE: join(REPO_SCENARIOS, 'demo.yaml'), MODELS_MANIFEST: REPO_MANIFEST, NATS_URL: 'nats://127.0.0.1:1' };
  const validate = async (env: Record<string, string>) => (await import('../src/worker.config.js')).validateWorkerEnv({ ...base, ...env });

  it('hosts what CLUSTER_ID names as CLUSTER_IDS would, and CLUSTER_IDS in its order', async () => {
    expect((await validate({ CLUSTER_ID: 'cloud-1' })).hostedClusters).toEqual({ variable: 'CLUSTER_ID', ids: ['cloud-1'] });
    expect((await validate({ CLUSTER_IDS: 'cloud-1' })).hostedClusters).toEqual({ variable: 'CLUSTER_IDS', ids: ['cloud-1'] });
    expect((await validate({ CLUSTER_IDS: 'near-edge-1, far-edge-1,cloud-2' })).hostedClusters.ids).toEqual(['near-edge-1', 'far-edge-1', 'cloud-2']);
  });

  it('refuses both, neither, a duplicate or a malformed id, naming the variables', async () => {
    await expect(validate({})).rejects.toThrow(/CLUSTER_ID is not set: nor is CLUSTER_IDS, set exactly one of them; expected the id of a cluster in the scenario/);
    await expect(validate({ CLUSTER_ID: 'cloud-1', CLUSTER_IDS: 'cloud-1,cloud-2' })).rejects.toThrow(
      /CLUSTER_ID is "cloud-1" and CLUSTER_IDS is "cloud-1,cloud-2": set exactly one of them/,
    );
    await expect(validate({ CLUSTER_IDS: 'cloud-1,far-edge-1,cloud-1' })).rejects.toThrow(/CLUSTER_IDS is "cloud-1,far-edge-1,cloud-1": cluster id "cloud-1" is listed twice; expected comma-separated ids/);
    await expect(validate({ CLUSTER_IDS: 'cloud-1,,far-edge-1' })).rejects.toThrow(/CLUSTER_IDS is "cloud-1,,far-edge-1": .*expected comma-separated ids/);
  });

  it('takes INFERENCE_THREAD_POOL auto (the default) or 0-64 and refuses anything else, naming it', async () => {
    expect((await validate({ CLUSTER_ID: 'cloud-1' })).INFERENCE_THREAD_POOL).toBe('auto');
    expect((await validate({ CLUSTER_ID: 'cloud-1', INFERENCE_THREAD_POOL: 'auto' })).INFERENCE_THREAD_POOL).toBe('auto');
    expect((await validate({ CLUSTER_ID: 'cloud-1', INFERENCE_THREAD_POOL: '0' })).INFERENCE_THREAD_POOL).toBe(0);
    expect((await validate({ CLUSTER_ID: 'cloud-1', INFERENCE_THREAD_POOL: '4' })).INFERENCE_THREAD_POOL).toBe(4);
    for (const bad of ['-1', '65', '1.5', 'two', 'AUTO', '']) {
      await expect(validate({ CLUSTER_ID: 'cloud-1', INFERENCE_THREAD_POOL: bad })).rejects.toThrow(
        new RegExp(`INFERENCE_THREAD_POOL is "${bad}": neither auto nor an integer 0-64`),
      );
    }
  });

  it('refuses an id that is not a cluster of the scenario at start, naming the variable, the id and the clusters', async () => {
    const { WorkerModule } = await import('../src/worker.module.js');
    for (const [env, message] of [
      [{ CLUSTER_IDS: 'far-edge-1,mars-1' }, /CLUSTER_IDS "mars-1" is not a cluster of scenario demo .*; clusters: far-edge-1, far-edge-2/],
      [{ CLUSTER_ID: 'mars-1' }, /CLUSTER_ID "mars-1" is not a cluster of scenario demo .*; clusters: far-edge-1, far-edge-2/],
    ] as const) {
      const config = await validate({ ...env, NATS_URL: testNatsUrl() });
      await expect(NestFactory.create(WorkerModule.forRoot(config), { logger: false, abortOnError: false })).rejects.toThrow(message);
    }
  });
});
