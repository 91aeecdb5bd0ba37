import { describe, expect, it } from 'vitest';
import { LatencyAwarePolicy } from './latency-aware.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

describe('latency-aware', () => {
  const ctx = repoPolicyContext();
  const policy = new LatencyAwarePolicy(ctx);
  const id = (p: ReturnType<LatencyAwarePolicy['decide']>) => (p.kind === 'dispatch' ? `${ctx.scenario.clusters[p.clusterIndex]?.id}/${p.variantId}` : p.reason);

  it('with a loose deadline, takes the most accurate variant anywhere', () => {
    const p = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 1000, minAccuracy: 0.5 } }), idleObservation(ctx));
    expect(id(p)).toMatch(/\/digits-cnn-m$/);
  });

  it('with a tight deadline, takes the most accurate variant that still fits (nearby)', () => {
    // ap-1: far-edge-1 at 2 ms RTT hosts only digits-linear-xs; the nearest cnn-m is 10 ms away.
    const p = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 5, minAccuracy: 0.5 } }), idleObservation(ctx));
    expect(id(p)).toBe('far-edge-1/digits-linear-xs');
  });

  it('counts time already spent: a query created long ago has less budget', () => {
    const obs = idleObservation(ctx, 1000);
    const fresh = policy.decide(queryView({ source: 'ap-1', createdAt: 1000, slo: { maxLatencyMs: 20, minAccuracy: 0.5 } }), obs);
    const stale = policy.decide(queryView({ source: 'ap-1', createdAt: 1000 - 15, slo: { maxLatencyMs: 20, minAccuracy: 0.5 } }), obs);
    expect(id(fresh)).toMatch(/digits-cnn-m|digits-mlp-s/);
    expect(id(stale)).toBe('far-edge-1/digits-linear-xs');
  });

  it('routes around a saturated cluster', () => {
    const obs = idleObservation(ctx);
    const free = policy.decide(queryView({ source: 'ap-2', slo: { maxLatencyMs: 12, minAccuracy: 0.95 } }), obs);
    expect(id(free)).toBe('far-edge-2/digits-mlp-s');
    obs.clusters[ctx.scenario.clusterIndex('far-edge-2')]!.queueLength = 10_000;
    const busy = policy.decide(queryView({ source: 'ap-2', slo: { maxLatencyMs: 12, minAccuracy: 0.95 } }), obs);
    expect(id(busy)).not.toMatch(/^far-edge-2/);
  });

  it('drops only when no variant meets the accuracy floor; otherwise best effort', () => {
    expect(policy.decide(queryView({ slo: { maxLatencyMs: 1, minAccuracy: 0.9999 } }), idleObservation(ctx))).toMatchObject({ kind: 'drop', reason: 'NO_FEASIBLE_OPTION' });
    expect(policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 0.001, minAccuracy: 0.5 } }), idleObservation(ctx))).toMatchObject({ kind: 'dispatch' });
  });
});
