import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { DispatchedQuerySchema, SubjectSpace, encodeMessage, type QueryRecord } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { REPO_SCENARIOS } from '@aset/scenario/testing';
import { AsetDirectPolicy } from '@aset/scheduling';
import { DqnController } from '@aset/training';
import { testNatsUrl, useServiceTestEnv } from '@aset/service-kit/testing';
import { SCHEDULING_POLICY } from '../src/scheduling-policy.provider.js';

const CHECKPOINTS = join(REPO_SCENARIOS, '..', 'checkpoints');

/** Own file: ConfigModule reads the environment once per module graph, and this one differs. */
describe('scheduler with ASET_ONLINE_LEARNING=true', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('asetonline');
  const space = new SubjectSpace(prefix);

  beforeAll(async () => {
    useServiceTestEnv(prefix, { SCHEDULER_POLICY: 'aset-direct', ASET_CHECKPOINT: join(CHECKPOINTS, 'demo.aset-direct.json'), ASET_ONLINE_LEARNING: 'true' });
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
    const record: QueryRecord = {
      schemaVersion: 1, runId: 'r2', queryId: 'q-online', app: 'digit-reader', source: 'ap-1', task: 'digits', policy: 'aset-direct',
      clusterId: 'far-edge-2', variantId: 'digits-mlp-s', status: 'completed', reason: null, detail: null, createdAt: 1, dispatchedAt: 2,
      receivedAt: 2, startedAt: 3, finishedAt: 4, completedAt: 5, emulatedNetworkMs: 1, latencyMs: 4, sloMaxLatencyMs: 30, sloMinAccuracy: 0.95,
      sloMet: true, warmup: false, prediction: 1, label: 1,
    };
    await jetstream(nc).publish(space.subject('queryRecord', { runId: 'r2' }), encodeMessage(record));
    await expect.poll(() => controller.transitions, { timeout: 5000 }).toBe(1);
    expect(controller.rewardSum).toBe(1);
  });
});
