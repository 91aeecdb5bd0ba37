import { describe, expect, it } from 'vitest';
import { lateOutcomes, onTimeElsewhere, placementId } from './heuristics.testing.js';
import { ShieldedGreedyPolicy } from './shielded-greedy.policy.js';
import { SlackFitPolicy } from './slack-fit.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

// policy-lab from ap-1, floor 0.95: far-edge-2/mlp-s 8.06 ms (jitter 0.5, 4 sigma 2.83), near-edge-1/mlp-s 10.03 (1, 5.66),
// cloud-1/mlp-s 40.02 (3, 16.97).
describe('slack-fit', () => {
  const ctx = repoPolicyContext();
  const id = (p: Parameters<typeof placementId>[1]) => placementId(ctx, p);
  const rtt = (p: Parameters<typeof placementId>[1]) => (p.kind === 'dispatch' ? ctx.scenario.linkAt(ctx.scenario.sourceIndex('ap-1'), p.clusterIndex).rttMs : NaN);

  it('sends a loose-SLO query farther than a tight one, keeping the near clusters for tight work', () => {
    const policy = new SlackFitPolicy(ctx);
    const loose = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 200, minAccuracy: 0.95 } }), idleObservation(ctx));
    const tight = policy.decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 14, minAccuracy: 0.95 } }), idleObservation(ctx));
    expect(id(loose)).toBe('cloud-1/digits-mlp-s');
    expect(id(tight)).toBe('far-edge-2/digits-mlp-s');
    expect(rtt(loose)).toBeGreaterThan(rtt(tight));
    // Greedy would have kept the loose query near.
    expect(id(new ShieldedGreedyPolicy(ctx).decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 200, minAccuracy: 0.95 } }), idleObservation(ctx)))).toBe('far-edge-2/digits-mlp-s');
  });

  it("fits within the shield's strictest non-empty tier: a cloud that fits the raw deadline but not 4 sigma is not taken", () => {
    // 45 ms: cloud-1 40.02 fits, but 40.02 + 16.97 does not; near-edge-1 10.03 + 5.66 does, with the least slack.
    expect(id(new SlackFitPolicy(ctx).decide(queryView({ source: 'ap-1', slo: { maxLatencyMs: 45, minAccuracy: 0.95 } }), idleObservation(ctx)))).toBe('near-edge-1/digits-mlp-s');
  });

  it("counts the shield's margin in the slack: observed excess delay uses up a cluster's slack", () => {
    const policy = new SlackFitPolicy(ctx);
    const q = queryView({ source: 'ap-1', createdAt: 1000, slo: { maxLatencyMs: 30, minAccuracy: 0.95 } });
    expect(id(policy.decide(q, idleObservation(ctx, 1000)))).toBe('near-edge-1/digits-mlp-s');
    // far-edge-2 answers 6 ms late: 8.06 + 6 + 2.83 = 16.89 leaves less slack than near-edge-1's 15.69, and still fits.
    for (const o of [...lateOutcomes(ctx, { source: 'ap-1', app: 'digit-reader', cluster: 'far-edge-2', excessMs: 6, at: 1000 }), ...onTimeElsewhere(ctx, { source: 'ap-1', app: 'digit-reader', except: 'far-edge-2', at: 1000 })]) policy.observeOutcome(o);
    expect(id(policy.decide(q, idleObservation(ctx, 1000)))).toBe('far-edge-2/digits-mlp-s');
  });

  it('falls back to the lowest estimate when nothing is safe', () => {
    // ap-2, floor 0.5: far-edge-1 8.07, far-edge-2 2.06, near-edge-1 12.03, cloud-1 42.02.
    expect(id(new SlackFitPolicy(ctx).decide(queryView({ source: 'ap-2', slo: { maxLatencyMs: 1, minAccuracy: 0.5 } }), idleObservation(ctx)))).toBe('far-edge-2/digits-mlp-s');
  });
});
