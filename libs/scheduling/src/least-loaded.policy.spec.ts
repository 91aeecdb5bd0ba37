import { describe, expect, it } from 'vitest';
import { LeastLoadedPolicy } from './least-loaded.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

describe('least-loaded', () => {
  const ctx = repoPolicyContext();
  const policy = new LeastLoadedPolicy(ctx);
  const index = (id: string) => ctx.scenario.clusterIndex(id);

  it('picks the nearest feasible cluster when all are idle', () => {
    const p = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 50, minAccuracy: 0.8 } }), idleObservation(ctx));
    expect(p).toMatchObject({ kind: 'dispatch', clusterIndex: index('far-edge-1') });
  });

  it('avoids loaded clusters, relative to their slots', () => {
    const obs = idleObservation(ctx);
    for (const c of ctx.catalog.feasibleFor('digits', 0.8).clusters) obs.clusters[c]!.queueLength = 3;
    obs.clusters[index('cloud-1')]!.queueLength = 4; // 4 waiting over 4 slots: lighter than 3 over 1 or 2
    const p = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 50, minAccuracy: 0.8 } }), obs);
    expect(p).toMatchObject({ kind: 'dispatch', clusterIndex: index('cloud-1') });
  });
});
