import { describe, expect, it } from 'vitest';
import { CandidateEncoder } from './aset-state.encoder.js';
import { lateOutcomes, onTimeElsewhere, placementId } from './heuristics.testing.js';
import type { AsetAgents } from './aset.agents.js';
import type { PolicyContext } from './policy.contract.js';
import { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';
import { ShieldRandomPolicy } from './shield-random.policy.js';
import { idleObservation, queryView, repoPolicyContext } from './testing.js';

const never = { choose: (): number => -1 };
const agent = (o: Partial<NonNullable<AsetAgents['asetDirect']>>): AsetAgents => ({ asetDirect: { controller: never, candidateSlots: 8, nearestClusters: 16, ...o } });
const count = (xs: string[]) => Object.fromEntries([...new Set(xs)].sort().map((x) => [x, xs.filter((y) => y === x).length]));

/** What aset-direct's shield would allow for `q`: the masked candidates of an encoder with the same settings. */
function allowed(ctx: PolicyContext, q: ReturnType<typeof queryView>, settings: { slots: number; nearest: number; fastest: boolean; tiers: readonly number[] }, activity = new RecentActivity(ctx.scenario, ctx.catalog)): string[] {
  const enc = new CandidateEncoder(ctx.scenario, ctx.catalog, activity, settings.slots, settings.nearest, settings.fastest, settings.tiers);
  const found = enc.encode(q, idleObservation(ctx), new Float32Array(enc.size));
  return enc.candidates
    .slice(0, found)
    .filter((_, j) => enc.mask[j] === 1)
    .map((c) => `${ctx.scenario.clusters[c.clusterIndex]?.id}/${c.variantId}`)
    .sort();
}

// policy-lab from ap-1, floor 0.5, 30 ms: 8 candidates (every option); 4 sigma keeps the 5 off the cloud.
describe('shield-random', () => {
  const q = queryView({ source: 'ap-1', slo: { maxLatencyMs: 30, minAccuracy: 0.5 } });

  it("without an agent: aset-direct's default candidates and shield; uniform over the first non-empty tier", () => {
    const ctx = repoPolicyContext('policy-lab', 4);
    const policy = new ShieldRandomPolicy(ctx);
    expect([policy.encoder.slots, policy.encoder.nearest, policy.encoder.fastestVariantOnly]).toEqual([8, 16, false]);
    const tier = allowed(ctx, q, { slots: 8, nearest: 16, fastest: false, tiers: DEFAULT_SAFETY_TIERS });
    expect(tier).toHaveLength(5);
    expect(tier.some((c) => c.startsWith('cloud-1'))).toBe(false);
    const got = count(Array.from({ length: 2500 }, () => placementId(ctx, policy.decide(q, idleObservation(ctx)))));
    expect(Object.keys(got)).toEqual(tier);
    for (const n of Object.values(got)) expect(Math.abs(n - 500)).toBeLessThan(4 * Math.sqrt(2500 * 0.2 * 0.8));
  });

  it("uses the aset-direct agent's candidate settings and tiers when the context has one", () => {
    // Two slots: the two lowest estimates only.
    const two = { ...repoPolicyContext('policy-lab', 5), agents: agent({ candidateSlots: 2, safetyTiers: [4, 2, 1, 0] }) };
    const twoPolicy = new ShieldRandomPolicy(two);
    const twoPicks = new Set(Array.from({ length: 200 }, () => placementId(two, twoPolicy.decide(q, idleObservation(two)))));
    expect([...twoPicks].sort()).toEqual(allowed(two, q, { slots: 2, nearest: 16, fastest: false, tiers: [4, 2, 1, 0] }));
    expect(twoPicks.size).toBe(2);
    // Fastest variant only: one candidate per cluster.
    const fastest = { ...repoPolicyContext('policy-lab', 6), agents: agent({ fastestVariantOnly: true, safetyTiers: [4, 2, 1, 0] }) };
    const fastestPolicy = new ShieldRandomPolicy(fastest);
    const fastestPicks = new Set(Array.from({ length: 400 }, () => placementId(fastest, fastestPolicy.decide(q, idleObservation(fastest)))));
    expect([...fastestPicks].sort()).toEqual(['far-edge-1/digits-linear-xs', 'far-edge-2/digits-mlp-s', 'near-edge-1/digits-mlp-s']);
    // The agent's shield off: the cloud is drawn too.
    const off = { ...repoPolicyContext('policy-lab', 7), agents: agent({ safetyTiers: [] }) };
    const offPolicy = new ShieldRandomPolicy(off);
    expect(Array.from({ length: 400 }, () => placementId(off, offPolicy.decide(q, idleObservation(off)))).some((p) => p.startsWith('cloud-1'))).toBe(true);
  });

  it('feeds its own recent activity from outcomes: a cluster answering late leaves the tier', () => {
    const ctx = repoPolicyContext('policy-lab', 8);
    const policy = new ShieldRandomPolicy(ctx);
    const late = { ...q, createdAt: 1000 };
    // far-edge-2 answers 20 ms late: 8.06 + 20 + 2.83 > 30. Its two candidates lie between far-edge-1's and near-edge-1's.
    for (const o of [...lateOutcomes(ctx, { source: 'ap-1', app: 'digit-reader', cluster: 'far-edge-2', excessMs: 20, at: 1000 }), ...onTimeElsewhere(ctx, { source: 'ap-1', app: 'digit-reader', except: 'far-edge-2', at: 1000 })]) policy.observeOutcome(o);
    const got = new Set(Array.from({ length: 400 }, () => placementId(ctx, policy.decide(late, idleObservation(ctx, 1000)))));
    expect([...got].sort()).toEqual(['far-edge-1/digits-linear-xs', 'near-edge-1/digits-cnn-m', 'near-edge-1/digits-mlp-s']);
  });

  it('drops only when nothing meets the floor, or all that does is down', () => {
    const ctx = repoPolicyContext();
    const policy = new ShieldRandomPolicy(ctx);
    expect(policy.decide(queryView({ slo: { maxLatencyMs: 60, minAccuracy: 0.9999 } }), idleObservation(ctx))).toMatchObject({ kind: 'drop', reason: 'NO_FEASIBLE_OPTION' });
    expect(policy.decide(queryView({ slo: { maxLatencyMs: 60, minAccuracy: 0.95 } }), idleObservation(ctx, 0, ['far-edge-2', 'near-edge-1', 'cloud-1']))).toMatchObject({ kind: 'drop', reason: 'NO_LIVE_CLUSTER' });
  });
});
