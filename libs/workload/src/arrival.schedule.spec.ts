import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile } from '@aset/scenario';
import { POLICY_LAB_SCENARIO } from '@aset/scenario/testing';
import { buildArrivalSchedule } from './arrival.schedule.js';

const scenario = readScenarioFile(POLICY_LAB_SCENARIO, { zoo: readZoo(REPO_MANIFEST) });
const rates = scenario.spec.workload.arrivals.map((a) => (a.process.kind === 'poisson' ? a.process.ratePerSec : 0));
const totalRate = rates.reduce((a, b) => a + b, 0);

describe('buildArrivalSchedule (Poisson)', () => {
  const n = 200_000;
  const s = buildArrivalSchedule(scenario, { count: n, seed: 11 });

  it('is in time order and reproducible from its seed', () => {
    let outOfOrder = 0;
    for (let i = 1; i < n; i++) if (s.offsetMs[i]! < s.offsetMs[i - 1]!) outOfOrder++;
    expect(outOfOrder).toBe(0);
    const again = buildArrivalSchedule(scenario, { count: 1000, seed: 11 });
    expect(Array.from(again.offsetMs)).toEqual(Array.from(s.offsetMs.subarray(0, 1000)));
    expect(Array.from(buildArrivalSchedule(scenario, { count: 1000, seed: 12 }).offsetMs)).not.toEqual(Array.from(again.offsetMs));
  });

  it('has the configured total rate and per-stream shares within 1%', () => {
    const seconds = s.offsetMs[n - 1]! / 1000;
    expect(n / seconds / totalRate).toBeGreaterThan(0.99);
    expect(n / seconds / totalRate).toBeLessThan(1.01);
    const counts = new Array(rates.length).fill(0);
    for (let i = 0; i < n; i++) counts[s.stream[i]!]++;
    counts.forEach((c, k) => expect(Math.abs(c / n - rates[k]! / totalRate)).toBeLessThan(0.01));
  });

  it('has exponential inter-arrival times: mean, coefficient of variation and KS distance', () => {
    const gaps = new Float64Array(n - 1);
    for (let i = 1; i < n; i++) gaps[i - 1] = s.offsetMs[i]! - s.offsetMs[i - 1]!;
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeCloseTo(1000 / totalRate, 1);
    expect(sd / mean).toBeGreaterThan(0.98);
    expect(sd / mean).toBeLessThan(1.02);
    // Kolmogorov-Smirnov against Exp(mean): critical value at alpha 0.001 is 1.95 / sqrt(n).
    gaps.sort();
    let d = 0;
    for (let i = 0; i < gaps.length; i++) {
      const cdf = 1 - Math.exp(-gaps[i]! / mean);
      d = Math.max(d, Math.abs(cdf - i / gaps.length), Math.abs(cdf - (i + 1) / gaps.length));
    }
    expect(d).toBeLessThan(1.95 / Math.sqrt(gaps.length));
  });

  it('scales every rate with rateScale', () => {
    const fast = buildArrivalSchedule(scenario, { count: 10_000, seed: 11, rateScale: 2 });
    const slow = buildArrivalSchedule(scenario, { count: 10_000, seed: 11 });
    expect(fast.offsetMs[9999]! * 2).toBeCloseTo(slow.offsetMs[9999]!, 6);
    expect(() => buildArrivalSchedule(scenario, { count: 1, seed: 1, rateScale: 0 })).toThrow(/rateScale must be > 0/);
  });
});
