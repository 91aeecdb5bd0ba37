import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { Scenario, readScenarioFile, type ScenarioSpec } from '@aset/scenario';
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

describe('per-application load scales and random bursts', () => {
  const withWorkload = (workload: Record<string, unknown>) => new Scenario({ ...scenario.spec, workload: { ...scenario.spec.workload, ...workload } } as ScenarioSpec, 'policy-lab variant');
  const counts = (s: { count: number; stream: Uint16Array }) => {
    const c = new Array<number>(rates.length).fill(0);
    for (let i = 0; i < s.count; i++) {
      const k = s.stream[i] as number;
      c[k] = (c[k] as number) + 1;
    }
    return c;
  };

  it("appLoadScale multiplies only that application's streams", () => {
    const n = 100_000;
    const c = counts(buildArrivalSchedule(withWorkload({ appLoadScale: { 'digit-glance': 3 } }), { count: n, seed: 4 }));
    // Streams 1 and 3 are digit-glance (20 and 30 q/s), 0 and 2 digit-reader (40 and 30 q/s).
    const expected = [40, 60, 30, 90].map((r) => r / 220);
    c.forEach((k, i) => expect(Math.abs(k / n - (expected[i] as number))).toBeLessThan(0.01));
  });

  it('bursts raise the affected streams together, on one timeline from the seed, and leave the others alone', () => {
    const bursty = withWorkload({ modulation: { kind: 'bursts', meanCalmSec: 2, meanBurstSec: 1, peakMultiplier: 5, apps: ['digit-glance'] } });
    const s = buildArrivalSchedule(bursty, { count: 200_000, seed: 9 });
    // Per 100 ms bin: arrivals of the two bursty streams and of the two calm ones.
    const bins = Math.ceil((s.offsetMs[s.count - 1] as number) / 100);
    const hot = new Array<number>(bins).fill(0);
    const calm = new Array<number>(bins).fill(0);
    const perStream = new Array<number[]>(4).fill([]).map(() => new Array<number>(bins).fill(0));
    for (let i = 0; i < s.count; i++) {
      const b = Math.floor((s.offsetMs[i] as number) / 100);
      const k = s.stream[i] as number;
      const bin = k === 1 || k === 3 ? hot : calm;
      bin[b] = (bin[b] as number) + 1;
      const own = perStream[k] as number[];
      own[b] = (own[b] as number) + 1;
    }
    const corr = (x: number[], y: number[]) => {
      const mx = x.reduce((a, v) => a + v, 0) / x.length;
      const my = y.reduce((a, v) => a + v, 0) / y.length;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      x.forEach((v, i) => {
        sxy += (v - mx) * ((y[i] as number) - my);
        sxx += (v - mx) ** 2;
        syy += ((y[i] as number) - my) ** 2;
      });
      return sxy / Math.sqrt(sxx * syy);
    };
    // The two bursty streams burst together; the calm ones do not follow them.
    expect(corr(perStream[1] as number[], perStream[3] as number[])).toBeGreaterThan(0.5);
    expect(Math.abs(corr(perStream[0] as number[], perStream[1] as number[]))).toBeLessThan(0.1);
    // Mean multiplier (2 * 1 + 1 * 5) / 3 = 7/3 on digit-glance: its share of arrivals rises accordingly.
    const share = hot.reduce((a, v) => a + v, 0) / s.count;
    expect(share).toBeGreaterThan(((50 * 7) / 3 / (70 + (50 * 7) / 3)) * 0.95);
    expect(share).toBeLessThan(((50 * 7) / 3 / (70 + (50 * 7) / 3)) * 1.05);
    // Same seed, same timeline; another seed, another.
    expect(Array.from(buildArrivalSchedule(bursty, { count: 5000, seed: 9 }).offsetMs)).toEqual(Array.from(s.offsetMs.subarray(0, 5000)));
    expect(Array.from(buildArrivalSchedule(bursty, { count: 5000, seed: 10 }).offsetMs)).not.toEqual(Array.from(s.offsetMs.subarray(0, 5000)));
  });
});
