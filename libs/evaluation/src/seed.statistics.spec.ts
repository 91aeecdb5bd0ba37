import { describe, expect, it } from 'vitest';
import { meanWithInterval, pairedDifference, pairedVerdict } from './seed.statistics.js';

describe('seed statistics', () => {
  it("gives the mean and Student's t interval (textbook values)", () => {
    const m = meanWithInterval([1, 2, 3, 4, 5]);
    expect(m.mean).toBe(3);
    expect(m.sd).toBeCloseTo(1.581139, 6);
    // t(0.975, 4) = 2.776445
    expect(m.ci[0]).toBeCloseTo(3 - 2.776445 * (1.581139 / Math.sqrt(5)), 5);
    expect(m.ci[1]).toBeCloseTo(3 + 2.776445 * (1.581139 / Math.sqrt(5)), 5);
    // A 90% interval is narrower: t(0.95, 4) = 2.131847.
    expect(meanWithInterval([1, 2, 3, 4, 5], 0.9).ci[1]).toBeCloseTo(3 + 2.131847 * (1.581139 / Math.sqrt(5)), 5);
  });

  it('a single value has a degenerate interval; bad input is refused by name', () => {
    expect(meanWithInterval([0.7])).toEqual({ mean: 0.7, ci: [0.7, 0.7], sd: 0, n: 1 });
    expect(() => meanWithInterval([])).toThrow(/no values/);
    expect(() => meanWithInterval([1, Number.NaN])).toThrow(/value 1 is NaN/);
    expect(() => meanWithInterval([1, 2], 1)).toThrow(/level 1 is not in/);
  });

  it('pairing by seed separates policies that overlapping unpaired intervals cannot', () => {
    // B is always 0.5 points below A, while the seeds themselves swing by 10 points.
    const a = [0.9, 0.8, 0.95, 0.85, 0.88];
    const b = a.map((x) => x - 0.005);
    const ia = meanWithInterval(a);
    const ib = meanWithInterval(b);
    expect(ib.ci[1]).toBeGreaterThan(ia.ci[0]);
    const d = pairedDifference(a, b);
    expect(d.mean).toBeCloseTo(0.005, 12);
    expect(pairedVerdict(d)).toBe('better');
    expect(pairedVerdict(pairedDifference(b, a))).toBe('worse');
    expect(pairedVerdict(pairedDifference(a, [0.91, 0.79, 0.96, 0.84, 0.88]))).toBe('no-difference');
    expect(() => pairedDifference(a, [1])).toThrow(/5 values against 1; pair them by seed/);
  });
});
