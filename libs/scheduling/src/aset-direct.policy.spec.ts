import { describe, expect, it } from 'vitest';
import { placementId } from './heuristics.testing.js';
import type { AsetAgents, AsetController } from './aset.agents.js';
import { AsetDirectPolicy } from './aset-direct.policy.js';
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

describe('aset-direct objectives (training)', () => {
  type Learned = { reward: number; done: boolean; state: Float32Array; nextState: Float32Array };
  function learner(objective: 'query' | 'discounted') {
    const learned: Learned[] = [];
    const controller: AsetController = { choose: () => 0, learn: (t) => learned.push({ reward: t.reward, done: t.done, state: t.state, nextState: t.nextState }) };
    const ctx = { ...repoPolicyContext(), agents: { asetDirect: { controller, candidateSlots: 8, nearestClusters: 16, objective } } satisfies AsetAgents };
    const policy = new AsetDirectPolicy(ctx, ctx.agents.asetDirect);
    const outcome = (id: string, sloMet: boolean) =>
      policy.observeOutcome({ queryId: id, app: 'digit-reader', source: 'ap-1', clusterIndex: 0, status: 'completed', sloMet, createdAt: 0, completedAt: 10, latencyMs: 10, processingMs: 1 });
    const decide = (id: string, now: number, maxLatencyMs: number) => policy.decide(queryView({ queryId: id, createdAt: now, slo: { maxLatencyMs, minAccuracy: 0.5 } }), idleObservation(ctx, now));
    return { policy, learned, outcome, decide, ctx };
  }

  it('query: each query is a terminal transition, learned when its outcome arrives', () => {
    const { learned, outcome, decide } = learner('query');
    decide('a', 0, 60);
    decide('b', 1, 30);
    outcome('b', false);
    outcome('a', true);
    expect(learned.map((l) => [l.reward, l.done])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(learned[0]?.nextState).toBe(learned[0]?.state);
  });

  it("discounted: each query leads to the next query's state, learned once both are known", () => {
    const { policy, learned, outcome, decide } = learner('discounted');
    decide('a', 0, 60);
    outcome('a', true); // the next state is not known yet
    expect(learned).toEqual([]);
    decide('b', 1, 30);
    expect(learned.map((l) => [l.reward, l.done])).toEqual([[1, false]]);
    decide('c', 2, 90);
    outcome('b', false);
    expect(learned.map((l) => [l.reward, l.done])).toEqual([
      [1, false],
      [0, false],
    ]);
    // b's next state is c's: the deadline feature (budget / 100) tells them apart.
    const budget = learned[1]!.nextState[learned[1]!.nextState.length - 2];
    expect(budget).toBeCloseTo(0.9, 5);
    expect(learned[0]!.nextState).toBe(learned[1]!.state);
    // The episode's end settles c, whose outcome never came: a failure, terminal.
    policy.endEpisode();
    expect(learned.map((l) => [l.reward, l.done])).toEqual([
      [1, false],
      [0, false],
      [0, true],
    ]);
  });

  it('discounted: the last decision is learned as terminal at the end when its outcome came in time', () => {
    const { policy, learned, outcome, decide } = learner('discounted');
    decide('a', 0, 60);
    decide('b', 1, 60);
    outcome('a', true);
    outcome('b', true);
    policy.endEpisode();
    expect(learned.map((l) => [l.reward, l.done])).toEqual([
      [1, false],
      [1, true],
    ]);
  });
});
