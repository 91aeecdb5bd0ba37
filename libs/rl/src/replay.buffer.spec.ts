import { seededRandom } from '@aset/determinism';
import { describe, expect, it } from 'vitest';
import { ReplayBuffer, type Transition } from './replay.buffer.js';

/** Transition number `k`: every field derived from k, so a sample can be checked for consistency. */
function transition(k: number): Transition {
  return {
    state: [k, -k],
    action: k % 3,
    reward: 10 * k,
    nextState: [k + 0.5, -k - 0.5],
    done: k % 2 === 1,
    nextMask: [1, k % 2, 1],
  };
}

describe('ReplayBuffer', () => {
  it('wraps around: after more pushes than capacity it holds exactly the newest transitions', () => {
    const buffer = new ReplayBuffer(5, 2, 3);
    for (let k = 0; k < 12; k++) buffer.push(transition(k));
    expect(buffer.size).toBe(5);
    expect(buffer.totalPushed).toBe(12);
    const batch = buffer.createBatch(2000);
    buffer.sample(batch, seededRandom(1));
    const seen = new Set<number>();
    for (let b = 0; b < batch.size; b++) {
      const k = batch.states[b * 2]!;
      seen.add(k);
      expect(batch.states[b * 2 + 1]).toBe(-k);
      expect(batch.nextStates[b * 2]).toBe(k + 0.5);
      expect(batch.actions[b]).toBe(k % 3);
      expect(batch.rewards[b]).toBe(10 * k);
      expect(batch.dones[b]).toBe(k % 2);
      expect(Array.from(batch.nextMasks.subarray(b * 3, b * 3 + 3))).toEqual([1, k % 2, 1]);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([7, 8, 9, 10, 11]);
  });

  it('samples only what it holds before it is full, with all actions valid when no mask is given', () => {
    const buffer = new ReplayBuffer(100, 2, 3);
    for (let k = 0; k < 3; k++) buffer.push({ ...transition(k), nextMask: undefined });
    const batch = buffer.createBatch(500);
    buffer.sample(batch, seededRandom(2));
    expect(new Set(batch.states.filter((_, i) => i % 2 === 0))).toEqual(new Set([0, 1, 2]));
    expect(batch.nextMasks.every((m) => m === 1)).toBe(true);
  });

  it('samples slots uniformly (chi-square, 9 degrees of freedom)', () => {
    const buffer = new ReplayBuffer(10, 2, 3);
    for (let k = 0; k < 25; k++) buffer.push(transition(k));
    const batch = buffer.createBatch(1000);
    const counts = new Array<number>(10).fill(0);
    const random = seededRandom(3);
    for (let round = 0; round < 50; round++) {
      buffer.sample(batch, random);
      for (let b = 0; b < batch.size; b++) counts[batch.indices[b]!]!++;
    }
    const expected = 50_000 / 10;
    const chi = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 99.9th percentile of chi-square with 9 degrees of freedom.
    expect(chi).toBeLessThan(27.88);
  });

  it('replays the same samples from the same seed', () => {
    const buffer = new ReplayBuffer(10, 2, 3);
    for (let k = 0; k < 10; k++) buffer.push(transition(k));
    const a = buffer.createBatch(32);
    const b = buffer.createBatch(32);
    buffer.sample(a, seededRandom(9));
    buffer.sample(b, seededRandom(9));
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  });

  it('rejects malformed transitions and sampling an empty buffer', () => {
    const buffer = new ReplayBuffer(4, 2, 3);
    expect(() => buffer.sample(buffer.createBatch(1), seededRandom(1))).toThrow(/empty/);
    expect(() => buffer.push({ ...transition(1), state: [1] })).toThrow(/state has 1 values, expected 2/);
    expect(() => buffer.push({ ...transition(1), action: 3 })).toThrow(/action must be an integer in \[0, 3\)/);
    expect(() => buffer.push({ ...transition(1), reward: NaN })).toThrow(/reward must be finite/);
    expect(() => buffer.push({ ...transition(1), nextMask: [1, 1] })).toThrow(/nextMask has 2 entries, expected 3/);
  });
});
