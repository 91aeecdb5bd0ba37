import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { INestApplication } from '@nestjs/common';
import { createInbox, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { InferenceReplySchema, type InferenceReply, type SubjectSpace } from '@aset/contracts';
import { sampleQuery } from '@aset/contracts/testing';
import { MessageBus, type BusSubscription, silentBusLogger } from '@aset/messaging';
import { CLOCK } from '@aset/service-kit';
import { metricValue, testNatsUrl } from '@aset/service-kit/testing';
import type { Clock } from '@aset/determinism';
import { ClusterStateTracker } from '../src/cluster-state.tracker.js';
import { startScheduler, type SchedulerHarness } from './scheduler.harness.js';

const HEARTBEAT_MS = 100;
const MISSED = 4;
const WINDOW_MS = HEARTBEAT_MS * MISSED;
/** policy-lab, nearest first from ap-1; every one hosts a digits variant with accuracy >= 0.5. */
const CLUSTERS = ['far-edge-1', 'far-edge-2', 'near-edge-1', 'cloud-1'] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cluster liveness in the live scheduler, against fake workers on the test's own connection: the
 * heartbeat window (own file: it needs HEARTBEAT_MS and LIVENESS_MISSED_HEARTBEATS of its own) and
 * dispatches that find no responder.
 */
describe('scheduler liveness (in-process, real NATS)', () => {
  let app: INestApplication;
  let nc: NatsConnection;
  let space: SubjectSpace;
  let scheduler: SchedulerHarness;
  let tracker: ClusterStateTracker;
  /** The fake workers' connection, served as the real worker's (MessageBus.serve). */
  let workers: MessageBus;
  let n = 0;

  beforeAll(async () => {
    scheduler = await startScheduler('liveness', { SCHEDULER_POLICY: 'closest', HEARTBEAT_MS: String(HEARTBEAT_MS), LIVENESS_MISSED_HEARTBEATS: String(MISSED) });
    ({ app, nc, space } = scheduler);
    tracker = app.get(ClusterStateTracker);
    workers = await MessageBus.connect({ servers: testNatsUrl(), name: 'fake-workers', prefix: scheduler.prefix, logger: silentBusLogger });
  });

  afterAll(async () => {
    await workers?.close();
    await scheduler?.close();
  });

  /** A fake worker of `clusterId` that answers every dispatch (completed); `seen` lists the query ids it got. */
  const fakeWorker = async (clusterId: string): Promise<{ seen: string[]; sub: BusSubscription }> => {
    const seen: string[] = [];
    const sub = workers.serve(
      'clusterInfer',
      { clusterId },
      (q) => {
        seen.push(q.queryId);
        return { schemaVersion: 1, status: 'completed', queryId: q.queryId, decision: q.decision, timing: { receivedAt: 1, startedAt: 1, finishedAt: 1, emulatedNetworkMs: null }, prediction: 3 };
      },
      { queue: `worker-${clusterId}` },
    );
    await workers.flush();
    return { seen, sub };
  };

  /**
   * Sends a query from ap-1 with a reply subject of its own and collects every answer that comes
   * within `settleMs` after the first: the test sees duplicates, not only the first reply.
   */
  const askAll = async (settleMs = 300): Promise<InferenceReply[]> => {
    const inbox = createInbox();
    const replies: InferenceReply[] = [];
    const sub = nc.subscribe(inbox, {
      callback: (_e, m: Msg) => {
        replies.push(InferenceReplySchema.parse(m.json()));
      },
    });
    await nc.flush();
    nc.publish(space.subject('scheduleQuery'), JSON.stringify(sampleQuery({ queryId: `q-${++n}`, source: 'ap-1' })), { reply: inbox });
    await expect.poll(() => replies.length, { timeout: 3000, interval: 5 }).toBeGreaterThan(0);
    await sleep(settleMs);
    sub.unsubscribe();
    return replies;
  };
  const ask = async (): Promise<InferenceReply> => {
    const replies = await askAll(0);
    return replies[0] as InferenceReply;
  };
  const clusterOf = (reply: InferenceReply) => (reply.status === 'completed' ? reply.decision.clusterId : reply.status);
  const aliveOf = (clusterId: string) => tracker.observe().clusters[CLUSTERS.indexOf(clusterId as (typeof CLUSTERS)[number])]?.alive;

  it('holds a cluster alive while it heartbeats, down after missed x HEARTBEAT_MS without one, and back with its next heartbeat', async () => {
    const near = await fakeWorker('far-edge-1');
    const second = await fakeWorker('far-edge-2');
    const stopNear = scheduler.keepAlive(['far-edge-1'], HEARTBEAT_MS);
    const stopSecond = scheduler.keepAlive(['far-edge-2'], HEARTBEAT_MS);
    // The clusters that never heartbeat go down once the first window (from the scheduler's start) is over.
    await expect.poll(() => tracker.liveClusters, { timeout: 5000, interval: 20 }).toBe(2);
    expect(clusterOf(await ask())).toBe('far-edge-1');

    stopNear();
    await sleep(WINDOW_MS + 2 * HEARTBEAT_MS);
    const before = near.seen.length;
    for (let i = 0; i < 5; i++) expect(clusterOf(await ask())).toBe('far-edge-2');
    expect(near.seen.length, 'a cluster without heartbeats for the window gets no dispatch').toBe(before);
    expect(aliveOf('far-edge-1')).toBe(false);

    const metrics = await (await fetch(`${await listening()}/metrics`)).text();
    expect(metricValue(metrics, 'aset_scheduler_live_clusters')).toBe(1);

    await scheduler.heartbeat('far-edge-1');
    await expect.poll(() => aliveOf('far-edge-1'), { timeout: 2000, interval: 5 }).toBe(true);
    expect(clusterOf(await ask())).toBe('far-edge-1');

    stopSecond();
    near.sub.unsubscribe();
    second.sub.unsubscribe();
  });

  it('marks a cluster down at its first dispatch that finds no responder and redispatches the query: one reply, from the next cluster', async () => {
    const second = await fakeWorker('far-edge-2');
    const stopSecond = scheduler.keepAlive(['far-edge-2'], HEARTBEAT_MS);
    // far-edge-1, nearest, is alive (fresh heartbeat) but nothing listens on its infer subject.
    await scheduler.heartbeat('far-edge-1');
    expect(aliveOf('far-edge-1')).toBe(true);
    const metricsBefore = await (await fetch(`${await listening()}/metrics`)).text();
    const noRespondersBefore = metricValue(metricsBefore, 'aset_scheduler_no_responders_total', { cluster: 'far-edge-1' }) ?? 0;

    const replies = await askAll();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ status: 'completed', decision: { clusterId: 'far-edge-2', policy: 'closest' } });
    expect(second.seen).toEqual([`q-${n}`]);
    expect(aliveOf('far-edge-1'), 'down until its next heartbeat').toBe(false);
    const metrics = await (await fetch(`${await listening()}/metrics`)).text();
    expect(metricValue(metrics, 'aset_scheduler_no_responders_total', { cluster: 'far-edge-1' })).toBe(noRespondersBefore + 1);
    expect(metricValue(metrics, 'aset_scheduler_decisions_total', { policy: 'closest', outcome: 'dispatched', cluster: 'far-edge-2' })).toBeGreaterThanOrEqual(1);

    // Held down: the next query goes straight to far-edge-2.
    expect(clusterOf(await ask())).toBe('far-edge-2');
    expect(metricValue(await (await fetch(`${await listening()}/metrics`)).text(), 'aset_scheduler_no_responders_total', { cluster: 'far-edge-1' })).toBe(noRespondersBefore + 1);

    stopSecond();
    second.sub.unsubscribe();
  });

  it('drops with NO_LIVE_CLUSTER, in one reply, when every feasible cluster is unreachable', async () => {
    for (const c of CLUSTERS) await scheduler.heartbeat(c);
    await expect.poll(() => tracker.liveClusters, { timeout: 2000, interval: 5 }).toBe(CLUSTERS.length);
    const replies = await askAll();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ status: 'dropped', reason: 'NO_LIVE_CLUSTER', policy: 'closest', queryId: `q-${n}` });
    expect(tracker.liveClusters).toBe(0);
  });

  it('lets a heartbeat sent "in the future" go stale staleAfterMs after its receipt and its cluster down after the window, as any other', () => {
    const clock = app.get<Clock>(CLOCK);
    const cloud = CLUSTERS.indexOf('cloud-1');
    tracker.record({ schemaVersion: 1, clusterId: 'cloud-1', instanceId: 'future-instance', sentAt: clock.now() + 86_400_000, slots: 8, busySlots: 7, queueLength: 5, processed: 0 });
    const receivedBy = clock.now();
    const fresh = tracker.observe(receivedBy).clusters[cloud];
    expect(fresh?.busySlots).toBeGreaterThanOrEqual(7);
    expect(fresh?.reportedAt, 'dated no later than its receipt').toBeLessThanOrEqual(receivedBy);
    // Every heartbeat of cloud-1, this one included, is stale by then (this moves the tracker past every liveness window: last in this file).
    const later = tracker.observe(receivedBy + tracker.staleAfterMs + 1).clusters[cloud];
    expect(later).toMatchObject({ busySlots: 0, queueLength: 0, reportedAt: undefined, alive: false });
  });

  let url: string | undefined;
  async function listening(): Promise<string> {
    if (!url) {
      await app.listen(0, '127.0.0.1');
      url = await app.getUrl();
    }
    return url;
  }
});
