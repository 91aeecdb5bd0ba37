import { describe, expect, it } from 'vitest';
import { seededRandom } from '@aset/determinism';
import { EventHeap } from './event.heap.js';

describe('EventHeap', () => {
  it('pops by time, then priority, then insertion order', () => {
    const h = new EventHeap(2);
    h.push(5, 1, 1, 10);
    h.push(5, 0, 2, 11);
    h.push(1, 9, 3, 12);
    h.push(5, 0, 4, 13);
    h.push(3, 0, 5, 14);
    const out: number[] = [];
    while (h.size > 0) {
      out.push(h.peekRef());
      h.pop();
    }
    expect(out).toEqual([12, 14, 11, 13, 10]);
    expect(h.peekTime()).toBe(Infinity);
  });

  it('refuses a priority that is not an integer in [0, 256)', () => {
    const h = new EventHeap(2);
    for (const p of [-1, 0.5, 256, NaN]) expect(() => h.push(0, p, 0, 0)).toThrow(/priority/);
    h.push(0, 255, 0, 1);
    h.push(0, 0, 0, 2);
    expect(h.peekRef()).toBe(2);
  });

  it('agrees with a sort on random events, interleaving pushes and pops', () => {
    const r = seededRandom(1);
    const h = new EventHeap(4);
    const reference: [number, number, number, number][] = [];
    let seq = 0;
    const popped: number[] = [];
    const expected: number[] = [];
    for (let round = 0; round < 2000; round++) {
      for (let k = 0; k < 3; k++) {
        const t = Math.floor(r() * 50);
        const p = Math.floor(r() * 3);
        h.push(t, p, 0, seq);
        reference.push([t, p, seq, seq]);
        seq++;
      }
      reference.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
      for (let k = 0; k < 2; k++) {
        popped.push(h.peekRef());
        h.pop();
        expected.push(reference.shift()![3]);
      }
    }
    expect(popped).toEqual(expected);
  });
});
