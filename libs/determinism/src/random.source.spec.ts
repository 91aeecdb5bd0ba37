import { describe, expect, it } from 'vitest';
import { deriveSeed, exponential, seededRandom, standardNormal } from './random.source.js';

describe('seededRandom', () => {
  it('replays the same sequence from the same seed and differs across seeds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(sa);
    expect(Array.from({ length: 5 }, c)).not.toEqual(sa);
  });

  it('is uniform on [0, 1): mean and decile counts within tolerance', () => {
    const r = seededRandom(1);
    const n = 100_000;
    const bins = new Array(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
      bins[Math.floor(x * 10)]++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    // chi-square with 9 dof: 99.9th percentile is 27.9
    const chi = bins.reduce((acc, b) => acc + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.9);
  });

  it('derives distinct, stable stream seeds', () => {
    expect(deriveSeed(7, 'ap-1/app')).toBe(deriveSeed(7, 'ap-1/app'));
    expect(deriveSeed(7, 'ap-1/app')).not.toBe(deriveSeed(7, 'ap-2/app'));
    expect(deriveSeed(7, 'x')).not.toBe(deriveSeed(8, 'x'));
  });

  it('draws exponential and normal variates with the right moments', () => {
    const r = seededRandom(3);
    const n = 50_000;
    let se = 0;
    let sn = 0;
    let sn2 = 0;
    for (let i = 0; i < n; i++) {
      se += exponential(r, 2);
      const z = standardNormal(r);
      sn += z;
      sn2 += z * z;
    }
    expect(se / n).toBeCloseTo(2, 1);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
  });
});
