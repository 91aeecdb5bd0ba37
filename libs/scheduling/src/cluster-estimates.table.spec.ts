import { describe, expect, it } from 'vitest';
import { seededRandom } from '@aset/determinism';
import { ClusterEstimates } from './cluster-estimates.table.js';
import type { Observation, PolicyContext } from './policy.contract.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

/** Random loads, some clusters down. */
function randomObservation(ctx: PolicyContext, random: () => number, now: number): Observation {
  const obs = idleObservation(ctx, now);
  for (const [c, st] of obs.clusters.entries()) {
    const slots = ctx.catalog.slots[c]!;
    st.busySlots = Math.floor(random() * (slots + 1));
    st.queueLength = random() < 0.5 ? 0 : Math.floor(random() * 4 * slots);
    st.alive = random() > 0.1;
  }
  return obs;
}

describe('ClusterEstimates', () => {
  // demo: cluttered-digits variants whose accuracies tie (cnn-m, cnn-l), several variants per cluster.
  for (const name of ['policy-lab', 'demo']) {
    it(`on ${name}: one entry per live feasible cluster, with the lowest latency-aware estimate over all its variants meeting the floor`, () => {
      const ctx = repoPolicyContext(name);
      const { scenario, catalog } = ctx;
      const table = new ClusterEstimates(catalog);
      const random = seededRandom(3);
      let compared = 0;
      for (let i = 0; i < 200; i++) {
        const app = scenario.applications[i % scenario.applications.length]!;
        const source = scenario.sources[Math.floor(random() * scenario.sources.length)]!;
        const q = queryView({ source: source.id, app: app.id, task: app.task, slo: { maxLatencyMs: 50, minAccuracy: [0, 0.8, 0.9, 0.95][i % 4]! }, createdAt: 100 * i - 7 });
        const obs = randomObservation(ctx, random, 100 * i);
        const n = table.fill(q, obs);
        const set = catalog.feasibleFor(q.task, q.slo.minAccuracy);
        if (set.clusters.length === 0) {
          expect(n).toBe(-1);
          continue;
        }
        expect(table.budget).toBe(50 - 7);
        // Reference: every option (cluster, variant) meeting the floor on a live cluster, as latency-aware estimates it.
        const best = new Map<number, number>();
        for (const { clusterIndex: c, hosted } of set.options) {
          const st = obs.clusters[c]!;
          if (!st.alive) continue;
          const slots = catalog.slots[c]!;
          const waiting = Math.max(0, st.busySlots + st.queueLength - slots + 1);
          const estimate = catalog.networkMs(scenario.sourceIndex(q.source), c, q.app, q.task) + (waiting / slots + 1) * hosted.processingMs;
          best.set(c, Math.min(best.get(c) ?? Infinity, estimate));
        }
        const live = [...best.keys()].sort((a, b) => a - b);
        expect(n).toBe(live.length);
        expect(Array.from(table.cluster.subarray(0, n))).toEqual(live);
        for (let j = 0; j < n; j++) {
          expect(table.estimate[j]).toBe(best.get(table.cluster[j]!));
          expect(table.hosted(j).accuracy).toBeGreaterThanOrEqual(q.slo.minAccuracy);
          expect(table.hosted(j).dispatch.clusterIndex).toBe(table.cluster[j]);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(200);
    });
  }

  it('reports no feasible cluster (-1) apart from no live one (0)', () => {
    const ctx = repoPolicyContext();
    const table = new ClusterEstimates(ctx.catalog);
    expect(table.fill(queryView({ slo: { maxLatencyMs: 60, minAccuracy: 0.9999 } }), idleObservation(ctx))).toBe(-1);
    expect(table.fill(queryView(), idleObservation(ctx, 0, ['far-edge-2', 'near-edge-1', 'cloud-1']))).toBe(0);
  });
});
