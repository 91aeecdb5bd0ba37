import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { DispatchedQuerySchema, type SubjectSpace, encodeMessage } from '@aset/contracts';
import { sampleQuery, sampleQueryRecord } from '@aset/contracts/testing';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile } from '@aset/scenario';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from '@aset/scenario/testing';
import { PlacementCatalog, asetAgentFromCheckpoint } from '@aset/scheduling';
import { OutcomeFeed } from '../src/outcome.feed.js';
import { startScheduler, type SchedulerHarness } from './scheduler.harness.js';

const CHECKPOINTS = join(REPO_SCENARIOS, '..', 'checkpoints');

/** The scheduler with the shipped aset-direct agent: it places queries itself and learns of their outcomes. */
describe('scheduler with SCHEDULER_POLICY=aset-direct (in-process, real NATS)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  let space: SubjectSpace;
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    scheduler = await startScheduler('asetsched', { SCHEDULER_POLICY: 'aset-direct', ASET_CHECKPOINT: join(CHECKPOINTS, 'demo.aset-direct.json') });
    ({ app, nc, space } = scheduler);
    scheduler.keepAlive(['far-edge-1', 'far-edge-2', 'near-edge-1', 'cloud-1'], 200);
  });

  afterAll(async () => {
    await scheduler?.close();
  });

  it('dispatches with the trained agent to a cluster hosting a variant that meets the accuracy floor', async () => {
    const seen: { clusterId: string; variantId: string; policy: string }[] = [];
    const sub = nc.subscribe(space.wildcard('clusterInfer'), {
      callback: (_e, m) => {
        const q = DispatchedQuerySchema.parse(m.json());
        seen.push(q.decision);
        m.respond(JSON.stringify({ schemaVersion: 1, status: 'completed', queryId: q.queryId, decision: q.decision, timing: { receivedAt: 1, startedAt: 1, finishedAt: 1, emulatedNetworkMs: null }, prediction: 0 }));
      },
    });
    await nc.flush();
    for (let i = 0; i < 20; i++) {
      await nc.request(space.subject('scheduleQuery'), JSON.stringify(sampleQuery({ queryId: `q${i}`, createdAt: Date.now(), slo: { maxLatencyMs: 30, minAccuracy: 0.95 } })), { timeout: 3000 });
    }
    sub.unsubscribe();
    expect(seen).toHaveLength(20);
    for (const d of seen) {
      expect(d.policy).toBe('aset-direct');
      expect(['digits-mlp-s', 'digits-cnn-m']).toContain(d.variantId);
    }
  });

  it('learns of outcomes from the records stream', async () => {
    const feed = app.get(OutcomeFeed);
    const before = feed.received;
    const record = sampleQueryRecord({ runId: 'r', queryId: 'q1' });
    await jetstream(nc).publish(space.subject('queryRecord', { runId: 'r' }), encodeMessage(record));
    await expect.poll(() => feed.received, { timeout: 5000 }).toBe(before + 1);
  });
});

describe('scheduler configuration for ASET', () => {
  it('refuses an aset checkpoint trained on another topology, naming both scenarios', () => {
    const zoo = readZoo(REPO_MANIFEST);
    const lab = readScenarioFile(POLICY_LAB_SCENARIO, { zoo });
    const file = join(CHECKPOINTS, 'demo.aset.json');
    expect(() => asetAgentFromCheckpoint(readFileSync(file, 'utf8'), file, lab, new PlacementCatalog(lab, zoo))).toThrow(
      /trained on scenario demo with a state of \d+ features; scenario policy-lab gives \d+ \(4 clusters, 2 applications\)/,
    );
  });
});
