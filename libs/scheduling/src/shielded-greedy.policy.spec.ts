import { describe, expect, it } from 'vitest';
import { seededRandom } from '@aset/determinism';
import { lateOutcomes, onTimeElsewhere, placementId, referenceTier } from './heuristics.testing.js';
import { LatencyAwarePolicy } from './latency-aware.policy.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';
import { ShieldedGreedyPolicy } from './shielded-greedy.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

// policy-lab from ap-1, floor 0.95: far-edge-2/mlp-s 8.06 ms (jitter 0.5), near-edge-1/mlp-s 10.03 (1), cloud-1/mlp-s 40.02 (3).
// From ap-2, floor 0.5: far-edge-1/linear-xs 8.07 (0.5), far-edge-2/mlp-s 2.06 (0.3), near-edge-1 12.03 (1), cloud-1 42.02 (3).
describe('shielded-greedy', () => {
  const ctx = repoPolicyContext();
  const id = (p: Parameters<typeof placementId>[1]) => placementId(ctx, p);

  it('takes the lowest estimate among the safe options, with the cheapest variant there (not the most accurate, as latency-aware does)', () => {
    const policy = new ShieldedGreedyPolicy(ctx);
    expect(id(policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 60, minAccuracy: 0.95 } }), idleObservation(ctx)))).toBe('far-edge-2/digits-mlp-s');
    expect(id(policy.decide(queryView({ source: 'ap-2', slo: { maxLatencyMs: 60, minAccuracy: 0.5 } }), idleObservation(ctx)))).toBe('far-edge-2/digits-mlp-s');
    expect(id(new LatencyAwarePolicy(ctx).decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 60, minAccuracy: 0.95 } }), idleObservation(ctx)))).toMatch(/digits-cnn-m$/);
  });

  it('routes around a saturated cluster', () => {
    const policy = new ShieldedGreedyPolicy(ctx);
    const obs = idleObservation(ctx);
    obs.clusters[ctx.scenario.clusterIndex('far-edge-2')]!.queueLength = 10_000;
    expect(id(policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 60, minAccuracy: 0.95 } }), obs))).toBe('near-edge-1/digits-mlp-s');
  });

  it('avoids a cluster once the outcomes it is fed show excess delay there that makes it unsafe', () => {
    const policy = new ShieldedGreedyPolicy(ctx);
    const q = queryView({ source: 'ap-1', createdAt: 1000, slo: { maxLatencyMs: 14, minAccuracy: 0.95 } });
    // far-edge-2 fits 4 sigma (8.06 + 2.83 <= 14).
    expect(id(policy.decide(q, idleObservation(ctx, 1000)))).toBe('far-edge-2/digits-mlp-s');
    // Its answers now come 5 ms late: 8.06 + 5 + 1.41 > 14 at 2 sigma, while near-edge-1 fits 2 sigma (10.03 + 2.83).
    for (const o of [...lateOutcomes(ctx, { source: 'ap-1', app: 'digit-reader', cluster: 'far-edge-2', excessMs: 5, at: 1000 }), ...onTimeElsewhere(ctx, { source: 'ap-1', app: 'digit-reader', except: 'far-edge-2', at: 1000 })]) policy.observeOutcome(o);
    expect(id(policy.decide(q, idleObservation(ctx, 1000)))).toBe('near-edge-1/digits-mlp-s');
  });

  it('falls back to the lowest estimate when no option is safe at any tier', () => {
    const policy = new ShieldedGreedyPolicy(ctx);
    expect(id(policy.decide(queryView({ source: 'ap-2', slo: { maxLatencyMs: 1, minAccuracy: 0.5 } }), idleObservation(ctx)))).toBe('far-edge-2/digits-mlp-s');
    expect(id(policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 1, minAccuracy: 0.95 } }), idleObservation(ctx, 0, ['far-edge-2'])))).toBe('near-edge-1/digits-mlp-s');
  });

  it('drops only when nothing meets the floor, or all that does is down', () => {
    const policy = new ShieldedGreedyPolicy(ctx);
    expect(policy.decide(queryView({ slo: { maxLatencyMs: 60, minAccuracy: 0.9999 } }), idleObservation(ctx))).toMatchObject({ kind: 'drop', reason: 'NO_FEASIBLE_OPTION' });
    expect(policy.decide(queryView({ slo: { maxLatencyMs: 60, minAccuracy: 0.95 } }), idleObservation(ctx, 0, ['far-edge-2', 'near-edge-1', 'cloud-1']))).toMatchObject({ kind: 'drop', reason: 'NO_LIVE_CLUSTER' });
  });

  it('on the ISP-scale suite, matches the lowest estimate of the first non-empty tier over every (cluster, variant) option', () => {
    const suite = repoPolicyContext('suite/steady');
    const { scenario, catalog } = suite;
    const policy = new ShieldedGreedyPolicy(suite);
    const random = seededRandom(5);
    let unsafe = 0;
    for (let i = 0; i < 300; i++) {
      const now = 50 * i;
      const app = scenario.applications[i % scenario.applications.length]!;
      const source = scenario.sources[Math.floor(random() * scenario.sources.length)]!;
      // Some clusters answer late (fed as outcomes), some are loaded or down.
      if (i % 10 === 0) {
        const c = scenario.clusters[Math.floor(random() * scenario.clusters.length)]!;
        for (const o of lateOutcomes(suite, { source: source.id, app: app.id, cluster: c.id, excessMs: 30 * random(), count: 3, at: now })) policy.observeOutcome(o);
      }
      const obs = idleObservation(suite, now);
      for (const [c, st] of obs.clusters.entries()) {
        st.busySlots = Math.floor(random() * (catalog.slots[c]! + 1));
        st.queueLength = random() < 0.7 ? 0 : Math.floor(random() * 3 * catalog.slots[c]!);
        st.alive = random() > 0.05;
      }
      const q = queryView({ queryId: `q${i}`, source: source.id, app: app.id, task: app.task, slo: { ...app.slo, maxLatencyMs: app.slo.maxLatencyMs * (0.3 + random()) }, createdAt: now - 2 });
      const p = policy.decide(q, obs);
      const { tier, options } = referenceTier(suite, (c) => policy.activity.excessMs(c), DEFAULT_SAFETY_TIERS, q, obs);
      if (p.kind !== 'dispatch') throw new Error(`expected a dispatch, got ${JSON.stringify(p)}`);
      const chosen = options.find((o) => o.clusterIndex === p.clusterIndex && o.variantId === p.variantId);
      expect(chosen, `query ${i}: ${id(p)} is not in the first non-empty tier`).toBeDefined();
      expect(chosen?.estimate).toBe(Math.min(...options.map((o) => o.estimate)));
      if (tier < 0) unsafe++;
    }
    // Both cases occur: a safe tier exists, and none does.
    expect(unsafe).toBeGreaterThan(0);
    expect(unsafe).toBeLessThan(300);
  });
});
