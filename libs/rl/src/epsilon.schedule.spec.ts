import { describe, expect, it } from 'vitest';
import { epsilonAt, EpsilonScheduleSchema } from './epsilon.schedule.js';

describe('epsilonAt', () => {
  it('decays linearly to end over steps, then stays', () => {
    const s = { kind: 'linear', start: 1, end: 0.1, steps: 100 } as const;
    expect(epsilonAt(s, 0)).toBe(1);
    expect(epsilonAt(s, 50)).toBeCloseTo(0.55, 12);
    expect(epsilonAt(s, 100)).toBeCloseTo(0.1, 12);
    expect(epsilonAt(s, 10_000)).toBeCloseTo(0.1, 12);
  });

  it('decays exponentially towards end with the given half-life', () => {
    const s = { kind: 'exponential', start: 1, end: 0.2, halfLife: 10 } as const;
    expect(epsilonAt(s, 0)).toBe(1);
    expect(epsilonAt(s, 10)).toBeCloseTo(0.6, 12);
    expect(epsilonAt(s, 20)).toBeCloseTo(0.4, 12);
    expect(epsilonAt(s, 1e6)).toBeCloseTo(0.2, 12);
    expect(epsilonAt({ kind: 'constant', value: 0.3 }, 99)).toBe(0.3);
  });

  it('validates schedules', () => {
    expect(EpsilonScheduleSchema.safeParse({ kind: 'linear', start: 1, end: 0.1, steps: 0 }).success).toBe(false);
    expect(EpsilonScheduleSchema.safeParse({ kind: 'constant', value: 1.5 }).success).toBe(false);
    expect(EpsilonScheduleSchema.safeParse({ kind: 'exponential', start: 1, end: 0, halfLife: 5 }).success).toBe(true);
  });
});
