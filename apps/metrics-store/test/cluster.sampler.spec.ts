import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterHeartbeat } from '@aset/contracts';
import { startStore, type StoreHarness } from './metrics-store.harness.js';

const T0 = 1_764_000_000_000;

function heartbeat(overrides: Partial<ClusterHeartbeat> = {}): ClusterHeartbeat {
  return { schemaVersion: 1, clusterId: 'edge-1', instanceId: 'w1', sentAt: T0, slots: 2, busySlots: 1, queueLength: 3, processed: 40, ...overrides };
}

describe('cluster sampler (worker heartbeats over core NATS into cluster_samples)', () => {
  let store: StoreHarness;

  beforeAll(async () => {
    store = await startStore('sampler');
  });

  afterAll(async () => {
    await store?.close();
  });

  const rows = async () =>
    (
      await store.sql.query<{ cluster_id: string; instance_id: string; at_ms: number; slots: number; busy_slots: number; queue_length: number; processed: string }>(
        `SELECT cluster_id, instance_id, extract(epoch FROM at)::float8 * 1000 AS at_ms, slots, busy_slots, queue_length, processed
           FROM cluster_samples ORDER BY cluster_id, instance_id, at`,
      )
    ).rows;

  it('stores each heartbeat once, within about a second, and drops invalid ones', async () => {
    const { bus } = store;
    const publish = (h: ClusterHeartbeat) => bus.publish('clusterHeartbeat', { clusterId: h.clusterId }, h);
    publish(heartbeat());
    publish(heartbeat({ sentAt: T0 + 500, busySlots: 2, queueLength: 0, processed: 41 }));
    publish(heartbeat({ clusterId: 'cloud-1', instanceId: 'w9', slots: 8, busySlots: 0, queueLength: 0, processed: 5_000_000_000 }));
    publish(heartbeat());
    await bus.flush();
    await store.publishRaw(bus.subject('clusterHeartbeat', { clusterId: 'edge-1' }), JSON.stringify({ ...heartbeat(), busySlots: -1 }));
    await expect.poll(async () => (await rows()).length, { timeout: 5000 }).toBe(3);
    expect(await rows()).toEqual([
      { cluster_id: 'cloud-1', instance_id: 'w9', at_ms: T0, slots: 8, busy_slots: 0, queue_length: 0, processed: '5000000000' },
      { cluster_id: 'edge-1', instance_id: 'w1', at_ms: T0, slots: 2, busy_slots: 1, queue_length: 3, processed: '40' },
      { cluster_id: 'edge-1', instance_id: 'w1', at_ms: T0 + 500, slots: 2, busy_slots: 2, queue_length: 0, processed: '41' },
    ]);
    await expect
      .poll(async () => (await fetch(`${store.base}/metrics`)).text())
      .toMatch(new RegExp(`aset_bus_invalid_messages_total\\{subject="${store.prefix}\\.cluster\\.edge-1\\.heartbeat",service="metrics-store"\\} 1`));
  });

  it('refuses a valid heartbeat no column can hold, alone, and stores the others of its batch', async () => {
    const { bus } = store;
    const subject = bus.subject('clusterHeartbeat', { clusterId: 'poison' });
    const invalidCounted = async () => Number(new RegExp(`aset_bus_invalid_messages_total\\{subject="${subject.replace(/\./g, '\\.')}",service="metrics-store"\\} (\\d+)`).exec(await (await fetch(`${store.base}/metrics`)).text())?.[1] ?? 0);
    for (let i = 0; i < 20; i++) {
      // 2^31 slots and a time past year 294276: valid heartbeats, but no integer or timestamp column holds them.
      const h = heartbeat({ clusterId: 'poison', sentAt: T0 + 30_000 + i, ...(i === 7 ? { slots: 2 ** 31 } : {}), ...(i === 13 ? { sentAt: 9.3e15 } : {}) });
      bus.publish('clusterHeartbeat', { clusterId: 'poison' }, h);
    }
    await bus.flush();
    const count = async () => Number((await store.sql.query(`SELECT count(*) AS n FROM cluster_samples WHERE cluster_id = 'poison'`)).rows[0].n);
    await expect.poll(count, { timeout: 5000 }).toBe(18);
    await expect.poll(invalidCounted, { timeout: 5000 }).toBe(2);
    // Written once, never retried: later heartbeats still get through.
    bus.publish('clusterHeartbeat', { clusterId: 'poison' }, heartbeat({ clusterId: 'poison', sentAt: T0 + 31_000 }));
    await expect.poll(count, { timeout: 5000 }).toBe(19);
    expect(await invalidCounted()).toBe(2);
  });

  it('stores a burst of 2500 heartbeats', async () => {
    const { bus } = store;
    for (let i = 0; i < 2500; i++) {
      const h = heartbeat({ clusterId: 'burst', instanceId: `w${i % 5}`, sentAt: T0 + 10_000 + i });
      bus.publish('clusterHeartbeat', { clusterId: 'burst' }, h);
    }
    await bus.flush();
    const count = async () => Number((await store.sql.query(`SELECT count(*) AS n FROM cluster_samples WHERE cluster_id = 'burst'`)).rows[0].n);
    await expect.poll(count, { timeout: 5000 }).toBe(2500);
  });

  it('writes what it holds before shutting down', async () => {
    const { bus } = store;
    for (let i = 0; i < 50; i++) {
      bus.publish('clusterHeartbeat', { clusterId: 'last' }, heartbeat({ clusterId: 'last', sentAt: T0 + 20_000 + i }));
    }
    await bus.flush();
    await new Promise((r) => setTimeout(r, 50));
    await store.stop();
    expect(Number((await store.sql.query(`SELECT count(*) AS n FROM cluster_samples WHERE cluster_id = 'last'`)).rows[0].n)).toBe(50);
  });
});
