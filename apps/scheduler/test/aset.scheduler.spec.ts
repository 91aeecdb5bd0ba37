import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { DispatchedQuerySchema, SubjectSpace, encodeMessage, type QueryRecord } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile } from '@aset/scenario';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from '@aset/scenario/testing';
import { PlacementCatalog, asetAgentFromCheckpoint } from '@aset/scheduling';
import { testNatsUrl, useServiceTestEnv } from '@aset/service-kit/testing';
import { OutcomeFeed } from '../src/outcome.feed.js';

const CHECKPOINTS = join(REPO_SCENARIOS, '..', 'checkpoints');

/** The scheduler with the shipped aset-direct agent: it places queries itself and learns of their outcomes. */
describe('scheduler with SCHEDULER_POLICY=aset-direct (in-process, real NATS)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('asetsched');
  const space = new SubjectSpace(prefix);

  beforeAll(async () => {
    useServiceTestEnv(prefix, { SCHEDULER_POLICY: 'aset-direct', ASET_CHECKPOINT: join(CHECKPOINTS, 'demo.aset-direct.json') });
    nc = await connect({ servers: testNatsUrl() });
    const { SchedulerModule } = await import('../src/scheduler.module.js');
    const moduleRef = await Test.createTestingModule({ imports: [SchedulerModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
  });

  afterAll(async () => {
    await (await jetstreamManager(nc)).streams.delete(space.streamName('records')).catch(() => {});
    await nc?.close();
    await app?.close();
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
    const record: QueryRecord = {
      schemaVersion: 1, runId: 'r', queryId: 'q1', app: 'digit-reader', source: 'ap-1', task: 'digits', policy: 'aset-direct',
      clusterId: 'far-edge-2', variantId: 'digits-mlp-s', status: 'completed', reason: null, detail: null, createdAt: 1, dispatchedAt: 2,
      receivedAt: 2, startedAt: 3, finishedAt: 4, completedAt: 5, emulatedNetworkMs: 1, latencyMs: 4, sloMaxLatencyMs: 30, sloMinAccuracy: 0.95,
      sloMet: true, warmup: false, prediction: 1, label: 1,
    };
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
