import { describe, expect, it } from 'vitest';
import { seededRandom } from '@aset/determinism';
import { RecentActivity } from './recent-activity.window.js';
import { SafetyShield } from './safety.shield.js';
import { repoPolicyContext } from './testing.js';

const ctx = repoPolicyContext();
const { scenario, catalog } = ctx;
const ap1 = scenario.sourceIndex('ap-1');
const at = (id: string) => scenario.clusterIndex(id);
// From ap-1, one-way jitter: far-edge-1 0.3 ms, far-edge-2 0.5, near-edge-1 1, cloud-1 3.
const clusters = Int32Array.from(['far-edge-1', 'far-edge-2', 'near-edge-1', 'cloud-1'].map(at));
const estimates = Float64Array.from([2, 8, 10, 40]);
const sigma = (c: number) => Math.SQRT2 * scenario.linkAt(ap1, c).jitterMs;

function shield(tiers: readonly number[], activity = new RecentActivity(scenario, catalog)): SafetyShield {
  return new SafetyShield(catalog, activity, tiers, 8);
}

describe('SafetyShield', () => {
  it('marks the candidates of the first tier that has any and returns its index', () => {
    const mask = new Uint8Array(8);
    const s = shield([4, 2, 1, 0]);
    // 4 sigma: far-edge-1 2 + 1.70, far-edge-2 8 + 2.83, near-edge-1 10 + 5.66, cloud-1 40 + 16.97.
    expect(s.mark(ap1, clusters, estimates, 4, 16, mask)).toBe(0);
    expect(Array.from(mask.slice(0, 4))).toEqual([1, 1, 1, 0]);
    expect(s.mark(ap1, clusters, estimates, 4, 12, mask)).toBe(0);
    expect(Array.from(mask.slice(0, 4))).toEqual([1, 1, 0, 0]);
    // Only the cloud, and it fits 1 sigma but not 2.
    expect(s.mark(ap1, clusters.subarray(3), estimates.subarray(3), 1, 40 + 1.5 * sigma(at('cloud-1')), mask)).toBe(2);
    expect(mask[0]).toBe(1);
    // Tiers are taken in the order given, not sorted.
    expect(shield([0, 4]).mark(ap1, clusters, estimates, 4, 41, mask)).toBe(0);
    expect(Array.from(mask.slice(0, 4))).toEqual([1, 1, 1, 1]);
  });

  it('marks every candidate and returns -1 when no tier has any, or when it is off; leaves the mask past count alone', () => {
    const mask = new Uint8Array(8).fill(7);
    expect(shield([4, 0]).mark(ap1, clusters, estimates, 3, 1, mask)).toBe(-1);
    expect(Array.from(mask)).toEqual([1, 1, 1, 7, 7, 7, 7, 7]);
    expect(shield([]).mark(ap1, clusters, estimates, 4, 1, mask)).toBe(-1);
    expect(Array.from(mask.slice(0, 4))).toEqual([1, 1, 1, 1]);
  });

  it('marks what testing every candidate at every tier in order would, for any tier list (random candidates, excess delays, budgets)', () => {
    const random = seededRandom(2);
    const activity = new RecentActivity(scenario, catalog);
    for (let i = 0; i < 40; i++) {
      const c = Math.floor(random() * scenario.clusters.length);
      const nominal = catalog.networkMs(ap1, c, 'digit-reader', 'digits');
      activity.onOutcome({ queryId: `q${i}`, app: 'digit-reader', source: 'ap-1', clusterIndex: c, status: 'completed', sloMet: true, createdAt: 0, completedAt: 10, latencyMs: nominal + 1 + 8 * random(), processingMs: 1 });
    }
    const tierLists = [[4, 2, 1, 0], [0, 4], [1, 3, 2], [2, 2, 0], [3]];
    let restricted = 0;
    for (const tiers of tierLists) {
      const s = shield(tiers, activity);
      for (let trial = 0; trial < 300; trial++) {
        const count = 1 + Math.floor(random() * 8);
        const cs = Int32Array.from({ length: count }, () => Math.floor(random() * scenario.clusters.length));
        const es = Float64Array.from({ length: count }, () => 30 * random());
        const budget = 40 * random();
        const mask = new Uint8Array(8);
        const tier = s.mark(ap1, cs, es, count, budget, mask);
        // Reference: the tiers in order, every candidate tested at each.
        const safeAt = (k: number) => Array.from(es, (e, j) => (e + (Math.max(0, activity.excessMs(cs[j]!)) + k * Math.SQRT2 * scenario.linkAt(ap1, cs[j]!).jitterMs) <= budget ? 1 : 0));
        const first = tiers.findIndex((k) => safeAt(k).some(Boolean));
        expect(tier).toBe(first);
        expect(Array.from(mask.slice(0, count))).toEqual(first < 0 ? Array.from(es, () => 1) : safeAt(tiers[first]!));
        if (first >= 0 && safeAt(tiers[first]!).some((x) => x === 0)) restricted++;
      }
    }
    expect(restricted).toBeGreaterThan(100);
  });

  it("counts each cluster's recent excess delay, and reports the margin it asked", () => {
    const activity = new RecentActivity(scenario, catalog);
    const s = shield([2], activity);
    const mask = new Uint8Array(8);
    expect(s.mark(ap1, clusters, estimates, 4, 12, mask)).toBe(0);
    expect(Array.from(mask.slice(0, 4))).toEqual([1, 1, 0, 0]);
    // far-edge-2's answers come 3 ms later than nominal network plus processing.
    const fe2 = at('far-edge-2');
    const nominal = catalog.networkMs(ap1, fe2, 'digit-reader', 'digits');
    for (let i = 0; i < 20; i++) activity.onOutcome({ queryId: `q${i}`, app: 'digit-reader', source: 'ap-1', clusterIndex: fe2, status: 'completed', sloMet: true, createdAt: 0, completedAt: 10, latencyMs: nominal + 1 + 3, processingMs: 1 });
    expect(activity.excessMs(fe2)).toBeCloseTo(3, 9);
    expect(s.mark(ap1, clusters, estimates, 4, 12, mask)).toBe(0);
    expect(Array.from(mask.slice(0, 4))).toEqual([1, 0, 0, 0]);
    for (let j = 0; j < 4; j++) {
      const c = clusters[j]!;
      expect(s.marginMs(j, 0)).toBeCloseTo(activity.excessMs(c) + 2 * sigma(c), 12);
      expect(mask[j]).toBe(estimates[j]! + s.marginMs(j, 0) <= 12 ? 1 : 0);
    }
  });
});
