import { describe, expect, it } from 'vitest';
import { SloWindow } from './slo.window.js';

describe('SloWindow', () => {
  it('fires only once the window is full and below the threshold, and resolves when back at it', () => {
    const w = new SloWindow(4, 0.75);
    expect([w.add(false), w.add(false), w.add(true)]).toEqual([undefined, undefined, undefined]);
    expect(w.add(true)).toBe('fired'); // 2 of 4
    expect(w.add(false)).toBeUndefined(); // 2 of 4: a miss left, a miss came
    expect(w.add(true)).toBe('resolved'); // 3 of 4
    expect(w.successRatio).toBe(0.75);
    for (let i = 0; i < 4; i++) expect(w.add(true)).toBeUndefined();
    expect(w.successRatio).toBe(1);
  });

  it('slides: the verdict leaving the window is forgotten', () => {
    const w = new SloWindow(3, 0.5);
    for (const met of [false, false, false]) w.add(met);
    expect(w.firing).toBe(true);
    for (const met of [true, true]) w.add(met);
    expect(w.successRatio).toBeCloseTo(2 / 3);
    expect(w.firing).toBe(false);
  });
});
