import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { DispatchedQuerySchema, type SubjectSpace, encodeMessage } from '@aset/contracts';
import { sampleQuery, sampleQueryRecord } from '@aset/contracts/testing';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { AsetDirectPolicy, DqnController } from '@aset/scheduling';
import { SCHEDULING_POLICY } from '../src/scheduling-policy.provider.js';
import { startScheduler, type SchedulerHarness } from './scheduler.harness.js';

const CHECKPOINTS = join(REPO_SCENARIOS, '..', 'checkpoints');

/** Own file: ConfigModule reads the environment once per module graph, and this one differs. */
describe('scheduler with ASET_ONLINE_LEARNING=true', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  let space: SubjectSpace;
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    scheduler = await startScheduler('asetonline', { SCHEDULER_POLICY: 'aset-direct', ASET_CHECKPOINT: join(CHECKPOINTS, 'demo.aset-direct.json'), ASET_ONLINE_LEARNING: 'true' });
    ({ app, nc, space } = scheduler);
    scheduler.keepAlive(['far-edge-1', 'far-edge-2', 'near-edge-1', 'cloud-1'], 200);
  });

  afterAll(async () => {
    await scheduler?.close();
  });

  it('keeps training the loaded agent on the outcomes of the queries it placed', async () => {
    const policy = app.get<AsetDirectPolicy>(SCHEDULING_POLICY);
    expect(policy).toBeInstanceOf(AsetDirectPolicy);
    expect(policy.agent.controller).toBeInstanceOf(DqnController);
    const controller = policy.agent.controller as DqnController;
    const sub = nc.subscribe(space.wildcard('clusterInfer'), {
      callback: (_e, m) => {
        const q = DispatchedQuerySchema.parse(m.json());
        m.respond(JSON.stringify({ schemaVersion: 1, status: 'dropped', queryId: q.queryId, policy: 'x', reason: 'QUEUE_FULL', detail: 'test', decidedAt: 1 }));
      },
    });
    await nc.flush();
    await nc.request(space.subject('scheduleQuery'), JSON.stringify(sampleQuery({ queryId: 'q-online', runId: 'r2', createdAt: Date.now() })), { timeout: 3000 });
    sub.unsubscribe();
    const record = sampleQueryRecord({ runId: 'r2', queryId: 'q-online' });
    await jetstream(nc).publish(space.subject('queryRecord', { runId: 'r2' }), encodeMessage(record));
    await expect.poll(() => controller.transitions, { timeout: 5000 }).toBe(1);
    expect(controller.rewardSum).toBe(1);
  });
});
