import { describe, expect, it } from 'vitest';
import { seededRandom } from '@aset/determinism';
import { parseScenario } from '@aset/scenario';
import { arrivalClock, flashMultiplier } from './arrival.process.js';
import { arrivalClocks } from './arrival.schedule.js';

/** All arrivals before `untilMs`. */
function take(clock: () => number, untilMs: number): number[] {
  const out: number[] = [];
  for (let t = clock(); t < untilMs; t = clock()) out.push(t);
  return out;
}

/** |observed - expected| within `sigmas` standard deviations of a Poisson count. */
function withinPoisson(observed: number, expected: number, sigmas = 4): boolean {
  return Math.abs(observed - expected) <= sigmas * Math.sqrt(expected);
}

describe('arrival processes', () => {
  it('diurnal: counts per phase bin follow mean * (1 + a sin) (chi-square)', () => {
    const p = { kind: 'diurnal' as const, meanRatePerSec: 200, amplitude: 0.8, periodSec: 10, phaseSec: 0 };
    const periods = 40;
    const arrivals = take(arrivalClock(p, seededRandom(1), 1), periods * 10_000);
    const bins = 20;
    const counts = new Array(bins).fill(0);
    for (const t of arrivals) counts[Math.floor(((t / 1000) % 10) / (10 / bins))]++;
    let chi = 0;
    for (let b = 0; b < bins; b++) {
      // Integral of the rate over the bin, times the number of periods.
      const a = (b * 10) / bins;
      const z = ((b + 1) * 10) / bins;
      const integral = 200 * (z - a) + (200 * 0.8 * 10 * (Math.cos((2 * Math.PI * a) / 10) - Math.cos((2 * Math.PI * z) / 10))) / (2 * Math.PI);
      const expected = integral * periods;
      chi += (counts[b] - expected) ** 2 / expected;
    }
    // 19 degrees of freedom: the 99.9th percentile is 43.8.
    expect(chi).toBeLessThan(43.8);
    expect(withinPoisson(arrivals.length, 200 * 10 * periods)).toBe(true);
  });

  it('flash crowd: base rate outside the crowd, peak rate inside, linear ramps', () => {
    const p = { kind: 'flash-crowd' as const, baseRatePerSec: 100, startSec: 20, rampSec: 5, durationSec: 30, peakMultiplier: 6 };
    const arrivals = take(arrivalClock(p, seededRandom(2), 1), 90_000);
    const count = (a: number, b: number) => arrivals.filter((t) => t >= a * 1000 && t < b * 1000).length;
    expect(withinPoisson(count(0, 20), 100 * 20)).toBe(true);
    expect(withinPoisson(count(25, 55), 600 * 30)).toBe(true);
    expect(withinPoisson(count(20, 25), ((100 + 600) / 2) * 5)).toBe(true);
    expect(withinPoisson(count(60, 90), 100 * 30)).toBe(true);
    expect(flashMultiplier(57.5, 20, 5, 30, 6)).toBeCloseTo(3.5, 10);
  });

  it('mmpp: the long-run rate mixes the two states, and counts are over-dispersed (bursty)', () => {
    const p = { kind: 'mmpp' as const, calmRatePerSec: 20, burstRatePerSec: 200, meanCalmSec: 4, meanBurstSec: 1 };
    const horizon = 2_000_000;
    const arrivals = take(arrivalClock(p, seededRandom(3), 1), horizon);
    const mean = (20 * 4 + 200 * 1) / 5;
    expect(arrivals.length / (horizon / 1000) / mean).toBeGreaterThan(0.95);
    expect(arrivals.length / (horizon / 1000) / mean).toBeLessThan(1.05);
    const perSecond = new Array(horizon / 1000).fill(0);
    for (const t of arrivals) perSecond[Math.floor(t / 1000)]++;
    const m = perSecond.reduce((a, b) => a + b, 0) / perSecond.length;
    const v = perSecond.reduce((a, c) => a + (c - m) ** 2, 0) / perSecond.length;
    expect(v / m).toBeGreaterThan(5);
  });

  it('rateScale multiplies the rate of every stochastic process', () => {
    const p = { kind: 'poisson' as const, ratePerSec: 50 };
    expect(withinPoisson(take(arrivalClock(p, seededRandom(4), 3), 100_000).length, 150 * 100)).toBe(true);
  });

  it('trace: replays offsets exactly, loops with the mean gap, and compresses time with rateScale', () => {
    const trace = Float64Array.from([0, 10, 30]);
    const looped = arrivalClock({ kind: 'trace', file: 'x.csv', loop: true }, seededRandom(5), 1, trace);
    expect(Array.from({ length: 7 }, looped)).toEqual([0, 10, 30, 45, 55, 75, 90]);
    const once = arrivalClock({ kind: 'trace', file: 'x.csv', loop: false }, seededRandom(5), 2, trace);
    expect(Array.from({ length: 4 }, once)).toEqual([0, 5, 15, Infinity]);
  });
});

describe('workload modulation', () => {
  it('multiplies every stream by the diurnal factor', () => {
    const r = parseScenario(
      `schemaVersion: 1
name: mod
hardwareClasses: { hw: { speedFactor: 1 } }
clusters: [{ id: c, tier: cloud, hardware: hw, slots: 1, variants: [v] }]
sources: [{ id: s }]
links: [{ source: s, cluster: c, rttMs: 1, bandwidthMbps: 10, jitterMs: 0 }]
applications: [{ id: a, task: t, slo: { maxLatencyMs: 10, minAccuracy: 0.5 } }]
workload:
  queries: 1
  modulation: { kind: diurnal, amplitude: 0.9, periodSec: 20 }
  arrivals: [{ source: s, app: a, process: { kind: poisson, ratePerSec: 100 } }]`,
      'mod.yaml',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const clock = arrivalClocks(r.scenario, 1)[0]!;
    const arrivals = take(clock, 400_000);
    const peak = arrivals.filter((t) => (t / 1000) % 20 >= 4 && (t / 1000) % 20 < 6).length;
    const trough = arrivals.filter((t) => (t / 1000) % 20 >= 14 && (t / 1000) % 20 < 16).length;
    // Over 20 periods, 2 s around the crest: ~100 * (1 + 0.9 * 0.97) * 2 * 20; around the trough: ~100 * 0.13 * 2 * 20.
    expect(peak / trough).toBeGreaterThan(10);
    expect(withinPoisson(arrivals.length, 100 * 400)).toBe(true);
  });
});
