import { describe, expect, it } from 'vitest';
import { placementId } from './heuristics.testing.js';
import type { AsetAgents, AsetController } from './aset.agents.js';
import { createPolicy } from './policy.registry.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

/** A stand-in for a reckless trained network: the last allowed candidate, i.e. the highest estimate on offer. */
const lastAllowed: AsetController = { choose: (_state, mask) => (mask ? mask.lastIndexOf(1) : 0) };
const agents: AsetAgents = { asetDirect: { controller: lastAllowed, candidateSlots: 8, nearestClusters: 16, safetyTiers: [4, 2, 1, 0] } };

// policy-lab from ap-1, floor 0.5, 30 ms: the 8 candidates end with the cloud's (40 ms and more), which 4 sigma excludes.
describe('aset-direct-unshielded', () => {
  const q = queryView({ source: 'ap-1', slo: { maxLatencyMs: 30, minAccuracy: 0.5 } });

  it('is the same agent with its shield off, under its own name', () => {
    const ctx = { ...repoPolicyContext(), agents };
    const shielded = createPolicy('aset-direct', ctx);
    const unshielded = createPolicy('aset-direct-unshielded', ctx);
    expect([shielded.name, unshielded.name]).toEqual(['aset-direct', 'aset-direct-unshielded']);
    const withShield = placementId(ctx, shielded.decide(q, idleObservation(ctx)));
    const without = placementId(ctx, unshielded.decide(q, idleObservation(ctx)));
    expect(withShield).toBe('near-edge-1/digits-cnn-m');
    expect(without).toMatch(/^cloud-1\//);
    // Building the ablation leaves the shared agent shielded.
    expect(agents.asetDirect?.safetyTiers).toEqual([4, 2, 1, 0]);
    expect(placementId(ctx, createPolicy('aset-direct', ctx).decide(q, idleObservation(ctx)))).toBe(withShield);
  });

  it('agrees with aset-direct where the shield allows every candidate', () => {
    const ctx = { ...repoPolicyContext(), agents };
    const loose = queryView({ source: 'ap-1', slo: { maxLatencyMs: 200, minAccuracy: 0.5 } });
    expect(placementId(ctx, createPolicy('aset-direct-unshielded', ctx).decide(loose, idleObservation(ctx)))).toBe(placementId(ctx, createPolicy('aset-direct', ctx).decide(loose, idleObservation(ctx))));
  });
});
