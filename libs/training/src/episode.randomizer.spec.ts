import { describe, expect, it } from 'vitest';
import { repoPolicyContext } from '@aset/scheduling/testing';
import { DEFAULT_EPISODE_SPACE, randomEpisode } from './episode.randomizer.js';

const base = repoPolicyContext().scenario;
const slos = (e: ReturnType<typeof randomEpisode>) => e.scenario.spec.applications.map((a) => a.slo);

describe('randomEpisode', () => {
  it('is deterministic in (seed, index) and differs across indices', () => {
    const a = randomEpisode(base, 7, 3);
    const b = randomEpisode(base, 7, 3);
    expect(b.label).toBe(a.label);
    expect(b.rateScale).toBe(a.rateScale);
    expect(b.seed).toBe(a.seed);
    expect(b.scenario.spec).toEqual(a.scenario.spec);
    const labels = new Set(Array.from({ length: 20 }, (_, i) => `${randomEpisode(base, 7, i).rateScale}`));
    expect(labels.size).toBe(20);
  });

  it('keeps the load level, and every variation, within the space', () => {
    for (let i = 0; i < 50; i++) {
      const e = randomEpisode(base, 1, i);
      expect(e.rateScale).toBeGreaterThanOrEqual(DEFAULT_EPISODE_SPACE.rateScale[0]);
      expect(e.rateScale).toBeLessThanOrEqual(DEFAULT_EPISODE_SPACE.rateScale[1]);
      expect(e.durationMs).toBe(DEFAULT_EPISODE_SPACE.durationSec * 1000);
      expect(e.label).not.toContain('varied SLOs');
    }
    const none = randomEpisode(base, 1, 0, { ...DEFAULT_EPISODE_SPACE, diurnal: 0, flashCrowd: 0, degradation: 0, outage: 0 });
    expect(none.scenario.spec.dynamics).toEqual(base.spec.dynamics);
  });

  it("leaves the applications' SLOs alone by default, so episodes are what they were before SLO variation existed", () => {
    for (let i = 0; i < 20; i++) expect(slos(randomEpisode(base, 3, i))).toEqual(base.spec.applications.map((a) => a.slo));
    // Enabling it draws after every other variation: the rest of the episode stays the same.
    const plain = randomEpisode(base, 3, 5);
    const varied = randomEpisode(base, 3, 5, { ...DEFAULT_EPISODE_SPACE, sloVariation: 1 });
    expect(varied.rateScale).toBe(plain.rateScale);
    expect(varied.scenario.spec.dynamics).toEqual(plain.scenario.spec.dynamics);
    expect(varied.label).toBe(`${plain.label}, varied SLOs`);
  });

  it('varies every SLO within the configured ranges when enabled', () => {
    const space = { ...DEFAULT_EPISODE_SPACE, sloVariation: 1 };
    const scales: number[] = [];
    for (let i = 0; i < 40; i++) {
      const e = randomEpisode(base, 9, i, space);
      e.scenario.spec.applications.forEach((app, k) => {
        const original = base.spec.applications[k]!.slo;
        const scale = app.slo.maxLatencyMs / original.maxLatencyMs;
        scales.push(scale);
        expect(scale).toBeGreaterThanOrEqual(space.sloLatencyScale[0]);
        expect(scale).toBeLessThanOrEqual(space.sloLatencyScale[1]);
        expect(app.slo.minAccuracy - original.minAccuracy).toBeGreaterThanOrEqual(space.sloAccuracyShift[0] - 1e-12);
        expect(Math.min(0.99, original.minAccuracy + space.sloAccuracyShift[1]) - app.slo.minAccuracy).toBeGreaterThanOrEqual(-1e-12);
      });
    }
    // Log-uniform: about as many deadlines tightened as loosened around the geometric middle.
    const middle = Math.sqrt(space.sloLatencyScale[0] * space.sloLatencyScale[1]);
    const below = scales.filter((s) => s < middle).length / scales.length;
    expect(below).toBeGreaterThan(0.3);
    expect(below).toBeLessThan(0.7);
  });

  it('slows the edge hardware and skews the load between applications only when enabled, drawn after everything else', () => {
    const plain = randomEpisode(base, 4, 7);
    expect(plain.scenario.spec.hardwareClasses).toEqual(base.spec.hardwareClasses);
    expect(plain.scenario.spec.workload.appLoadScale).toEqual(base.spec.workload.appLoadScale);
    const space = { ...DEFAULT_EPISODE_SPACE, hardwareVariation: 1, appLoadVariation: 1 };
    const varied = randomEpisode(base, 4, 7, space);
    expect(varied.rateScale).toBe(plain.rateScale);
    expect(varied.scenario.spec.dynamics).toEqual(plain.scenario.spec.dynamics);
    expect(varied.label).toBe(`${plain.label}, slower edge, skewed app load`);
    const cloudHardware = new Set(base.spec.clusters.filter((c) => c.tier === 'cloud').map((c) => c.hardware));
    for (let i = 0; i < 20; i++) {
      const e = randomEpisode(base, 4, i, space);
      for (const [id, hw] of Object.entries(e.scenario.spec.hardwareClasses)) {
        const factor = hw.speedFactor / (base.spec.hardwareClasses[id] as { speedFactor: number }).speedFactor;
        if (cloudHardware.has(id)) expect(factor).toBe(1);
        else {
          expect(factor).toBeGreaterThanOrEqual(space.hardwareSlowdown[0]);
          expect(factor).toBeLessThanOrEqual(space.hardwareSlowdown[1]);
        }
      }
      for (const app of base.spec.applications) {
        const scale = (e.scenario.spec.workload.appLoadScale?.[app.id] ?? 1) / (base.spec.workload.appLoadScale?.[app.id] ?? 1);
        expect(scale).toBeGreaterThanOrEqual(space.appLoadRange[0]);
        expect(scale).toBeLessThanOrEqual(space.appLoadRange[1]);
      }
    }
  });
});
