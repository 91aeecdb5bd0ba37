import { expect, vi } from 'vitest';
import type pg from 'pg';
import type { ClusterHeartbeat, QueryRecord } from '@aset/contracts';
import type { MessageBus } from '@aset/messaging';

/** Start of the synthetic runs; times below are offsets from it, ms. */
export const T0 = 1_764_000_000_000;

/** One query of a synthetic run: what a test chooses; the rest follows from it. */
export interface SyntheticQuery {
  queryId: string;
  policy: string | null;
  status: QueryRecord['status'];
  createdMs: number;
  latencyMs: number;
  sloMet: boolean;
  app?: string;
  clusterId?: string | null;
  warmup?: boolean;
}

/** The terminal record the generator would publish for `q` of run `runId`. */
export function queryRecord(runId: string, q: SyntheticQuery): QueryRecord {
  const createdAt = T0 + q.createdMs;
  const served = q.status === 'completed';
  const clusterId = q.clusterId === undefined ? (q.status === 'dropped' ? null : 'c1') : q.clusterId;
  return {
    schemaVersion: 1,
    runId,
    queryId: q.queryId,
    app: q.app ?? 'a1',
    source: 'ap-1',
    task: 'digits',
    policy: q.policy,
    clusterId,
    variantId: clusterId ? 'digits-mlp-s' : null,
    status: q.status,
    reason: q.status === 'dropped' ? 'NO_FEASIBLE_OPTION' : q.status === 'error' ? 'INFERENCE_FAILED' : null,
    detail: null,
    createdAt,
    dispatchedAt: q.status === 'timed_out' ? null : createdAt + 0.1,
    receivedAt: served ? createdAt + 0.2 : null,
    startedAt: served ? createdAt + 0.3 : null,
    finishedAt: served ? createdAt + 0.4 : null,
    completedAt: createdAt + q.latencyMs,
    emulatedNetworkMs: served ? 0 : null,
    latencyMs: q.latencyMs,
    sloMaxLatencyMs: 35,
    sloMinAccuracy: 0.9,
    sloMet: q.sloMet,
    warmup: q.warmup ?? false,
    prediction: served ? 1 : null,
    label: served ? 1 : null,
  };
}

/** Publishes a run's `started` record over JetStream, as the generator does. */
export async function publishRunStarted(bus: MessageBus, runId: string, run: { policy: string; startedMs: number; scenario?: string }): Promise<void> {
  await bus.publishDurable(
    'runRecord',
    { runId },
    { schemaVersion: 1, kind: 'started', runId, scenario: run.scenario ?? 'synthetic', policy: run.policy, seed: 1, codeVersion: 'test', parameters: {}, startedAt: T0 + run.startedMs },
    `${runId}.started`,
  );
}

/** Publishes query records over JetStream (acked), as the generator does. */
export async function publishQueries(bus: MessageBus, runId: string, queries: readonly SyntheticQuery[]): Promise<void> {
  for (const q of queries) await bus.publishDurable('queryRecord', { runId }, queryRecord(runId, q), `${runId}.${q.queryId}`);
}

/** Publishes a run's `finished` record. */
export async function publishRunFinished(bus: MessageBus, runId: string, queryCount: number, finishedMs: number): Promise<void> {
  await bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'finished', runId, queryCount, finishedAt: T0 + finishedMs }, `${runId}.finished`);
}

/** One worker heartbeat: offset, cluster, instance, slots, busy slots, queue length. */
export type Sample = [offsetMs: number, clusterId: string, instanceId: string, slots: number, busySlots: number, queueLength: number];

/** Publishes worker heartbeats over core NATS, as workers do, and flushes. */
export async function publishHeartbeats(bus: MessageBus, samples: readonly Sample[]): Promise<void> {
  for (const [offset, clusterId, instanceId, slots, busySlots, queueLength] of samples) {
    const heartbeat: ClusterHeartbeat = { schemaVersion: 1, clusterId, instanceId, sentAt: T0 + offset, slots, busySlots, queueLength, processed: 0 };
    bus.publish('clusterHeartbeat', { clusterId }, heartbeat);
  }
  await bus.flush();
}

/** Waits (up to 10 s) until `sql` (a query returning one row with column n) gives `expected`: for ingestion to catch up. */
export async function waitForCount(client: pg.Client, sql: string, expected: number): Promise<void> {
  await vi.waitFor(async () => expect(Number((await client.query(sql)).rows[0].n)).toBe(expected), { timeout: 10_000, interval: 100 });
}
