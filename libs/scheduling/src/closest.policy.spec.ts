import { describe, expect, it } from 'vitest';
import { ClosestPolicy } from './closest.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

describe('closest', () => {
  const ctx = repoPolicyContext();
  const policy = new ClosestPolicy(ctx);
  const obs = idleObservation(ctx);
  const clusterOf = (p: ReturnType<ClosestPolicy['decide']>) => (p.kind === 'dispatch' ? ctx.scenario.clusters[p.clusterIndex]?.id : p.reason);

  it('picks the nearest cluster when it hosts a variant accurate enough', () => {
    const p = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 20, minAccuracy: 0.8 } }), obs);
    expect(clusterOf(p)).toBe('far-edge-1');
    expect(p).toMatchObject({ variantId: 'digits-linear-xs' });
  });

  it('skips nearer clusters whose variants miss the accuracy floor', () => {
    const p = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 60, minAccuracy: 0.95 } }), obs);
    expect(clusterOf(p)).toBe('far-edge-2');
    expect(p).toMatchObject({ variantId: 'digits-mlp-s' });
  });

  it('picks the cheapest variant that meets the floor on the chosen cluster', () => {
    const p = policy.decide(queryView({ source: 'ap-2', slo: { maxLatencyMs: 60, minAccuracy: 0.985 } }), obs);
    expect(clusterOf(p)).toBe('near-edge-1');
    expect(p).toMatchObject({ variantId: 'digits-cnn-m' });
  });

  it('drops with NO_FEASIBLE_OPTION when no variant is accurate enough', () => {
    const p = policy.decide(queryView({ slo: { maxLatencyMs: 60, minAccuracy: 0.999 } }), obs);
    expect(p).toMatchObject({ kind: 'drop', reason: 'NO_FEASIBLE_OPTION' });
  });

  it('drops a task that no cluster hosts', () => {
    expect(policy.decide(queryView({ task: 'speech' }), obs)).toMatchObject({ kind: 'drop' });
  });
});
