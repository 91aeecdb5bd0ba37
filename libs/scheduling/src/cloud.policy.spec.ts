import { describe, expect, it } from 'vitest';
import { CloudPolicy } from './cloud.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

describe('cloud', () => {
  const ctx = repoPolicyContext();
  const policy = new CloudPolicy(ctx);

  it('sends every query to a cloud cluster, with the cheapest variant meeting the floor', () => {
    for (const source of ['ap-1', 'ap-2']) {
      const p = policy.decide(queryView({ source, slo: { maxLatencyMs: 10, minAccuracy: 0.8 } }), idleObservation(ctx));
      expect(p.kind).toBe('dispatch');
      if (p.kind !== 'dispatch') return;
      expect(ctx.scenario.clusters[p.clusterIndex]?.tier).toBe('cloud');
      expect(p.variantId).toBe(ctx.catalog.cheapestMeeting(p.clusterIndex, 'digits', 0.8)?.variant.id);
    }
  });

  it('drops when no cloud cluster can meet the floor', () => {
    expect(policy.decide(queryView({ slo: { maxLatencyMs: 10, minAccuracy: 0.9999 } }), idleObservation(ctx))).toMatchObject({ kind: 'drop', reason: 'NO_FEASIBLE_OPTION' });
  });
});
