import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { ClusterQueue, NO_BATCHING, batchingRules, withBatching } from './cluster.queue.js';
import { readScenarioFile } from './scenario.parser.js';
import { REPO_SCENARIOS } from './testing.js';

const cluster = (slots: number, maxQueue?: number) => ({ id: 'c', slots, ...(maxQueue === undefined ? {} : { maxQueue }) });
const out = new Int32Array(8);
const taken = (q: ClusterQueue, now: number): number[] => {
  const n = q.take(now, out);
  return Array.from(out.subarray(0, n));
};

describe('ClusterQueue', () => {
  it('without batching is one FIFO over the cluster: a free slot starts the oldest query at once, whatever its variant', () => {
    const q = new ClusterQueue(cluster(1), [NO_BATCHING, NO_BATCHING]);
    q.offer(1, 0, 0);
    expect(taken(q, 0)).toEqual([1]);
    expect(q.batchReadyAt).toBe(0);
    q.offer(2, 1, 1);
    q.offer(3, 0, 2);
    q.offer(4, 1, 3);
    expect([q.busy, q.waiting]).toEqual([1, 3]);
    expect(taken(q, 3)).toEqual([]);
    expect(q.nextReadyAt()).toBe(Infinity);
    q.release(5);
    expect(taken(q, 6)).toEqual([2]);
    expect([q.batchVariant, q.batchReadyAt]).toEqual([1, 5]);
    q.release(7);
    expect(taken(q, 7)).toEqual([3]);
    q.release(8);
    expect(taken(q, 8)).toEqual([4]);
    expect(() => {
      q.release(9);
      q.release(9);
    }).toThrow(/release without a running batch/);
  });

  it('starts a full batch at once, and a partial one when its oldest query has waited the delay', () => {
    const q = new ClusterQueue(cluster(2), [{ maxBatchSize: 3, maxQueueDelayMs: 2 }]);
    q.offer(1, 0, 10);
    q.offer(2, 0, 10.5);
    expect(taken(q, 10.5)).toEqual([]);
    expect(q.nextReadyAt()).toBe(12);
    q.offer(3, 0, 11);
    expect(taken(q, 11)).toEqual([1, 2, 3]);
    expect(q.batchReadyAt).toBe(11);
    q.offer(4, 0, 11.5);
    expect(taken(q, 13)).toEqual([]);
    expect(q.nextReadyAt()).toBe(13.5);
    // Taken late (the host's timer), dated when it was ready.
    expect(taken(q, 14)).toEqual([4]);
    expect(q.batchReadyAt).toBe(13.5);
    expect([q.busy, q.waiting, q.nextReadyAt()]).toEqual([2, 0, Infinity]);
  });

  it('with every slot busy, waits for a release and then starts up to maxBatchSize of the oldest ready variant, dated when its slot was freed', () => {
    const q = new ClusterQueue(cluster(1), [{ maxBatchSize: 2, maxQueueDelayMs: 100 }, { maxBatchSize: 4, maxQueueDelayMs: 0 }]);
    q.offer(1, 0, 0);
    q.offer(2, 0, 0);
    expect(taken(q, 0)).toEqual([1, 2]);
    q.offer(3, 1, 1);
    q.offer(4, 0, 2);
    q.offer(5, 1, 3);
    q.offer(6, 0, 4);
    q.offer(7, 0, 5);
    expect(q.nextReadyAt()).toBe(Infinity);
    q.release(6);
    // Variant 1 is ready (no delay) and its oldest (ref 3) came first.
    expect(taken(q, 6.2)).toEqual([3, 5]);
    expect([q.batchVariant, q.batchReadyAt]).toEqual([1, 6]);
    q.release(8);
    expect(taken(q, 8)).toEqual([4, 6]);
    expect(q.batchReadyAt).toBe(8);
    expect(q.waiting).toBe(1);
    q.release(9);
    expect(taken(q, 9)).toEqual([]);
    expect(q.nextReadyAt()).toBe(105);
    expect(taken(q, 105)).toEqual([7]);
  });

  it('refuses an arrival only with every slot busy and maxQueue waiting', () => {
    const q = new ClusterQueue(cluster(1, 1), [{ maxBatchSize: 2, maxQueueDelayMs: 5 }]);
    expect(q.offer(1, 0, 0)).toBe(true);
    expect(q.offer(2, 0, 0)).toBe(true);
    expect(taken(q, 0)).toEqual([1, 2]);
    expect(q.offer(3, 0, 1)).toBe(true);
    expect(q.offer(4, 0, 1)).toBe(false);
    expect(q.waiting).toBe(1);
    const lost: number[] = [];
    q.clear((ref) => lost.push(ref));
    expect([lost, q.waiting]).toEqual([[3], 0]);
    const two = new ClusterQueue(cluster(1), [NO_BATCHING, NO_BATCHING]);
    [0, 1, 1, 0].forEach((variant, ref) => two.offer(ref, variant, ref));
    two.clear((ref) => lost.push(ref));
    expect(lost).toEqual([3, 0, 1, 2, 3]);
  });

  it('keeps order while its FIFOs grow past their first capacity', () => {
    const q = new ClusterQueue(cluster(1), [NO_BATCHING]);
    q.offer(0, 0, 0);
    taken(q, 0);
    for (let i = 1; i <= 100; i++) q.offer(i, 0, i);
    const order: number[] = [];
    for (let i = 1; i <= 100; i++) {
      q.release(i);
      order.push(...taken(q, i));
    }
    expect(order).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(() => q.offer(101, 3, 101)).toThrow(/variant index 3 is out of range/);
  });

  it('reads each variant\'s rule from the cluster\'s batching, in the order of its variants', () => {
    expect(batchingRules({ variants: ['a', 'b'], batching: { b: { maxBatchSize: 4, maxQueueDelayMs: 1 } } })).toEqual([NO_BATCHING, { maxBatchSize: 4, maxQueueDelayMs: 1 }]);
  });

  it('batches every variant of every cluster of a scenario by one rule, refusing a rule out of range', () => {
    const demo = readScenarioFile(`${REPO_SCENARIOS}/demo.yaml`, { zoo: readZoo(REPO_MANIFEST) });
    const batched = withBatching(demo, { maxBatchSize: 4, maxQueueDelayMs: 1 });
    for (const c of batched.clusters) expect(batchingRules(c)).toEqual(c.variants.map(() => ({ maxBatchSize: 4, maxQueueDelayMs: 1 })));
    expect(batched.origin).toMatch(/demo.yaml \(every variant batched: up to 4, 1 ms\)/);
    expect(demo.clusters.every((c) => c.batching === undefined)).toBe(true);
    expect(() => withBatching(demo, { maxBatchSize: 9, maxQueueDelayMs: 1 })).toThrow(/batching rule: maxBatchSize/);
  });

  it('starts a query alone, without queueing it, only when nothing batches, a slot is free and nothing waits', () => {
    const q = new ClusterQueue(cluster(1), [NO_BATCHING, NO_BATCHING]);
    expect(q.startAlone(1, 5)).toBe(true);
    expect([q.busy, q.waiting, q.batchVariant, q.batchReadyAt]).toEqual([1, 0, 1, 5]);
    expect(q.startAlone(0, 6)).toBe(false);
    q.offer(7, 0, 6);
    q.release(8);
    expect(q.startAlone(1, 8)).toBe(false);
    expect(taken(q, 8)).toEqual([7]);
    expect(() => new ClusterQueue(cluster(1), [NO_BATCHING]).startAlone(2, 0)).toThrow(/variant index 2 is out of range/);
    const batching = new ClusterQueue(cluster(1), [{ maxBatchSize: 2, maxQueueDelayMs: 1 }]);
    expect(batching.startAlone(0, 0)).toBe(false);
    expect(batching.busy).toBe(0);
  });
});
