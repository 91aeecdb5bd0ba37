import { describe, expect, it } from 'vitest';
import { RandomPolicy } from './random.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

describe('random', () => {
  it('spreads uniformly over the feasible clusters, reproducibly from the seed', () => {
    const ctx = repoPolicyContext('policy-lab', 9);
    const policy = new RandomPolicy(ctx);
    const q = queryView({ slo: { maxLatencyMs: 50, minAccuracy: 0.95 } });
    const feasible = ctx.catalog.feasibleFor('digits', 0.95).clusters;
    const counts = new Map<number, number>();
    const picks: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const p = policy.decide(q, idleObservation(ctx));
      if (p.kind !== 'dispatch') throw new Error('expected a dispatch');
      picks.push(p.clusterIndex);
      counts.set(p.clusterIndex, (counts.get(p.clusterIndex) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...feasible].sort());
    for (const n of counts.values()) expect(Math.abs(n - 4000 / feasible.length)).toBeLessThan(4 * Math.sqrt(4000 / feasible.length));
    const again = new RandomPolicy(repoPolicyContext('policy-lab', 9));
    expect(Array.from({ length: 50 }, () => (again.decide(q, idleObservation(ctx)) as { clusterIndex: number }).clusterIndex)).toEqual(picks.slice(0, 50));
  });

  it('drops when nothing meets the floor', () => {
    const ctx = repoPolicyContext();
    expect(new RandomPolicy(ctx).decide(queryView({ slo: { maxLatencyMs: 5, minAccuracy: 1 } }), idleObservation(ctx))).toMatchObject({ kind: 'drop' });
  });
});
