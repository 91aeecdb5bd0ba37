import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FactoryProvider, INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { DATA_FILES, DispatchedQuerySchema, type SubjectSpace, encodeMessage } from '@aset/contracts';
import { sampleQuery, sampleQueryRecord } from '@aset/contracts/testing';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile } from '@aset/scenario';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from '@aset/scenario/testing';
import { PlacementCatalog, asetAgentFromCheckpoint } from '@aset/scheduling';
import { OutcomeFeed } from '../src/outcome.feed.js';
import { validateSchedulerEnv } from '../src/scheduler.config.js';
import { schedulingPolicyProvider } from '../src/scheduling-policy.provider.js';
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

  it('refuses an ASET_CHECKPOINT that is missing, oversized, truncated or of the wrong shape, naming the variable and the file', () => {
    const zoo = readZoo(REPO_MANIFEST);
    const demo = readScenarioFile(join(REPO_SCENARIOS, 'demo.yaml'), { zoo });
    const dir = mkdtempSync(join(tmpdir(), 'aset-scheduler-checkpoint-'));
    const policyWith = (file: string) => {
      const config = new ConfigService(validateSchedulerEnv({ SCHEDULER_POLICY: 'aset-direct', ASET_CHECKPOINT: file }));
      return () => (schedulingPolicyProvider as FactoryProvider).useFactory(config, demo, zoo);
    };
    try {
      expect(policyWith(join(CHECKPOINTS, 'demo.aset-direct.json'))()).toBeDefined();
      const huge = join(dir, 'huge.json');
      writeFileSync(huge, '');
      truncateSync(huge, DATA_FILES.checkpoint.maxBytes + 1);
      expect(policyWith(huge)).toThrow(`ASET_CHECKPOINT checkpoint ${huge}: is ${DATA_FILES.checkpoint.maxBytes + 1} bytes, over the limit`);
      expect(policyWith(join(dir, 'missing.json'))).toThrow(`ASET_CHECKPOINT checkpoint ${join(dir, 'missing.json')}: cannot be read (ENOENT)`);
      const truncated = join(dir, 'truncated.json');
      writeFileSync(truncated, readFileSync(join(CHECKPOINTS, 'demo.aset-direct.json'), 'utf8').slice(0, 500));
      expect(policyWith(truncated)).toThrow(`ASET_CHECKPOINT ${truncated}: (root): expected a JSON document`);
      const wrongShape = join(dir, 'curve.json');
      writeFileSync(wrongShape, readFileSync(join(CHECKPOINTS, 'demo.aset-direct.curve.json'), 'utf8'));
      expect(policyWith(wrongShape)).toThrow(new RegExp(`^ASET_CHECKPOINT ${wrongShape.replace(/[./]/g, '\\$&')}: format: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
