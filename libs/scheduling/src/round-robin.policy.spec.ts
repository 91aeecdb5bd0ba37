import { describe, expect, it } from 'vitest';
import { RoundRobinPolicy } from './round-robin.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

describe('round-robin', () => {
  it('cycles through the feasible clusters in order, per accuracy floor, and restarts on reset', () => {
    const ctx = repoPolicyContext();
    const policy = new RoundRobinPolicy(ctx);
    const q = queryView({ slo: { maxLatencyMs: 50, minAccuracy: 0.95 } });
    const feasible = Array.from(ctx.catalog.feasibleFor('digits', 0.95).clusters);
    const pick = () => (policy.decide(q, idleObservation(ctx)) as { clusterIndex: number }).clusterIndex;
    expect(Array.from({ length: feasible.length * 2 }, pick)).toEqual([...feasible, ...feasible]);
    // Another floor has its own cursor.
    const loose = Array.from(ctx.catalog.feasibleFor('digits', 0.5).clusters);
    expect((policy.decide(queryView({ slo: { maxLatencyMs: 50, minAccuracy: 0.5 } }), idleObservation(ctx)) as { clusterIndex: number }).clusterIndex).toBe(loose[0]);
    policy.decide(q, idleObservation(ctx));
    policy.reset();
    expect(pick()).toBe(feasible[0]);
  });
});
