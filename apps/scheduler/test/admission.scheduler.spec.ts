import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DispatchedQuerySchema, InferenceReplySchema, encodeMessage, type ClusterHeartbeat, type InferenceReply } from '@aset/contracts';
import { sampleQuery } from '@aset/contracts/testing';
import { metricValue } from '@aset/service-kit/testing';
import { startScheduler, type SchedulerHarness } from './scheduler.harness.js';

const CLUSTERS = ['far-edge-1', 'far-edge-2', 'near-edge-1', 'cloud-1'];

/**
 * The scheduler with ADMISSION=on (policy-lab scenario, real NATS): a query that no live cluster can
 * answer by its deadline, as the heartbeats show the clusters, is dropped at once with
 * DEADLINE_UNREACHABLE; once the heartbeats show room, the same query is dispatched.
 */
describe('scheduler with admission on (in-process, real NATS)', () => {
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    scheduler = await startScheduler('admission', { SCHEDULER_POLICY: 'closest', ADMISSION: 'on' });
  });

  afterAll(async () => {
    await scheduler?.close();
  });

  /** One heartbeat per cluster, from the instance the harness's fake workers use, with `queueLength` waiting behind busy slots. */
  const report = async (queueLength: number) => {
    for (const clusterId of CLUSTERS) {
      const hb: ClusterHeartbeat = { schemaVersion: 1, clusterId, instanceId: `fake-${clusterId}`, sentAt: Date.now(), slots: 1, busySlots: queueLength > 0 ? 4 : 0, queueLength, processed: 0 };
      scheduler.nc.publish(scheduler.space.subject('clusterHeartbeat', { clusterId }), encodeMessage(hb));
    }
    await scheduler.nc.flush();
  };
  const ask = async (queryId: string): Promise<InferenceReply> => {
    const query = sampleQuery({ queryId, source: 'ap-1', createdAt: Date.now(), slo: { maxLatencyMs: 200, minAccuracy: 0.8 } });
    const m = await scheduler.nc.request(scheduler.space.subject('scheduleQuery'), JSON.stringify(query), { timeout: 3000 });
    return InferenceReplySchema.parse(m.json());
  };

  it('drops with DEADLINE_UNREACHABLE what the reported queues cannot serve in time, then dispatches once they have room', async () => {
    await report(100_000);
    const dropped = await ask('q-late');
    expect(dropped).toMatchObject({ status: 'dropped', queryId: 'q-late', reason: 'DEADLINE_UNREACHABLE', policy: 'closest' });
    expect(dropped.status === 'dropped' && dropped.detail).toMatch(/no live cluster can answer by the deadline \(200 ms after creation\)/);

    const worker = scheduler.nc.subscribe(scheduler.space.subject('clusterInfer', { clusterId: 'far-edge-1' }), {
      callback: (_e, m) => {
        const q = DispatchedQuerySchema.parse(m.json());
        m.respond(JSON.stringify({ schemaVersion: 1, status: 'completed', queryId: q.queryId, decision: q.decision, timing: { receivedAt: 1, startedAt: 1, finishedAt: 1, emulatedNetworkMs: null }, prediction: 3 }));
      },
    });
    await scheduler.nc.flush();
    await report(0);
    expect(await ask('q-in-time')).toMatchObject({ status: 'completed', queryId: 'q-in-time', decision: { clusterId: 'far-edge-1', policy: 'closest' } });
    worker.unsubscribe();

    await scheduler.app.listen(0, '127.0.0.1');
    const metrics = await (await fetch(`${await scheduler.app.getUrl()}/metrics`)).text();
    expect(metricValue(metrics, 'aset_scheduler_decisions_total', { policy: 'closest', outcome: 'dropped' })).toBe(1);
    // The policy decided only the admitted query.
    expect(metricValue(metrics, 'aset_scheduler_decision_seconds_count', { policy: 'closest' })).toBe(1);
  });
});
