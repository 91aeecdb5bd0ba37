import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { DispatchedQuerySchema, InferenceReplySchema, type SubjectSpace, type InferenceReply } from '@aset/contracts';
import { sampleQuery } from '@aset/contracts/testing';
import { metricValue } from '@aset/service-kit/testing';
import { startScheduler, type SchedulerHarness } from './scheduler.harness.js';

describe('scheduler service (in-process, real NATS)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  let space: SubjectSpace;
  let prefix: string;
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    scheduler = await startScheduler('sched', { SCHEDULER_POLICY: 'closest' });
    ({ app, nc, space, prefix } = scheduler);
    // Fake workers' heartbeats: every cluster stays alive (liveness itself: liveness.scheduler.spec.ts).
    scheduler.keepAlive(['far-edge-1', 'far-edge-2', 'near-edge-1', 'cloud-1'], 200);
  });

  afterAll(async () => {
    await scheduler?.close();
  });

  const ask = async (payload: unknown): Promise<InferenceReply> => {
    const m = await nc.request(space.subject('scheduleQuery'), typeof payload === 'string' ? payload : JSON.stringify(payload), { timeout: 3000 });
    return InferenceReplySchema.parse(m.json());
  };

  it('forwards a query to the closest feasible cluster with its decision, and the worker answers the requester', async () => {
    const worker = nc.subscribe(space.subject('clusterInfer', { clusterId: 'far-edge-1' }), {
      callback: (_e, m) => {
        const q = DispatchedQuerySchema.parse(m.json());
        m.respond(JSON.stringify({ schemaVersion: 1, status: 'completed', queryId: q.queryId, decision: q.decision, timing: { receivedAt: 1, startedAt: 1, finishedAt: 1, emulatedNetworkMs: null }, prediction: 3 }));
      },
    });
    await nc.flush();
    const reply = await ask(sampleQuery({ queryId: 'q-near', source: 'ap-1', slo: { maxLatencyMs: 20, minAccuracy: 0.8 } }));
    expect(reply).toMatchObject({ status: 'completed', queryId: 'q-near', decision: { clusterId: 'far-edge-1', variantId: 'digits-linear-xs', policy: 'closest' } });
    worker.unsubscribe();
  });

  it('drops a query no variant can serve accurately enough', async () => {
    const reply = await ask(sampleQuery({ slo: { maxLatencyMs: 50, minAccuracy: 0.9999 } }));
    expect(reply).toMatchObject({ status: 'dropped', reason: 'NO_FEASIBLE_OPTION', policy: 'closest' });
  });

  it('refuses an unknown source with UNKNOWN_REFERENCE', async () => {
    expect(await ask(sampleQuery({ source: 'ap-99' }))).toMatchObject({ status: 'error', code: 'UNKNOWN_REFERENCE' });
  });

  it('refuses a task no variant of the scenario serves with UNKNOWN_REFERENCE naming it and the tasks served', async () => {
    // A task the zoo does not know, and one it knows that no cluster of the scenario hosts a variant of.
    for (const task of ['sonar', 'cluttered-digits']) {
      const reply = await ask(sampleQuery({ queryId: `q-${task}`, task }));
      expect(reply).toMatchObject({ status: 'error', code: 'UNKNOWN_REFERENCE', queryId: `q-${task}` });
      expect(reply.status === 'error' && reply.message).toMatch(new RegExp(`task "${task}" .*\\(it serves digits\\)`));
    }
  });

  it('answers malformed queries with a typed error and keeps serving', async () => {
    expect(await ask('][')).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE' });
    expect(await ask({ ...sampleQuery(), input: { dtype: 'int8', shape: [1], data: '' } })).toMatchObject({ status: 'error', code: 'INVALID_MESSAGE' });
    expect(await ask(sampleQuery({ slo: { maxLatencyMs: 50, minAccuracy: 0.9999 } }))).toMatchObject({ status: 'dropped' });
  });

  it('serves /health and exposes refused messages in /metrics', async () => {
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', info: { nats: { status: 'up' } } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`aset_bus_invalid_messages_total\\{subject="${prefix}\\.query\\.schedule",service="scheduler"\\} 2`));
    expect(metricValue(metrics, 'aset_scheduler_decisions_total', { policy: 'closest', outcome: 'dropped' })).toBe(2);
    expect(metricValue(metrics, 'aset_scheduler_decisions_total', { policy: 'closest', outcome: 'dispatched', cluster: 'far-edge-1' })).toBe(1);
    expect(metricValue(metrics, 'aset_scheduler_decisions_total', { policy: 'closest', outcome: 'refused' })).toBe(3);
    expect(metricValue(metrics, 'aset_scheduler_decision_seconds_count', { policy: 'closest' })).toBe(3);
    expect(metricValue(metrics, 'aset_scheduler_live_clusters')).toBe(4);
  });
});
