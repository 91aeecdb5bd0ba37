import { describe, expect, it } from 'vitest';
import type { AsetAgents } from './aset.agents.js';
import { agentModeOf, createPolicy, HEURISTIC_POLICY_NAMES, POLICY_NAMES } from './policy.registry.js';
import { STATIC_POLICY_NAMES } from './static.policies.js';
import { repoPolicyContext } from './testing.js';

const HEURISTICS = ['shielded-greedy', 'power-of-two', 'slack-fit', 'shield-random'];

describe('policy registry', () => {
  it('builds every static policy under its own name', () => {
    const ctx = repoPolicyContext();
    for (const name of STATIC_POLICY_NAMES) expect(createPolicy(name, ctx).name).toBe(name);
    // Static policies first, the ASET policies last, every hand-written heuristic between.
    expect(POLICY_NAMES.slice(0, STATIC_POLICY_NAMES.length)).toEqual(STATIC_POLICY_NAMES);
    expect(POLICY_NAMES.slice(-3)).toEqual(['aset', 'aset-direct', 'aset-direct-unshielded']);
    expect(POLICY_NAMES).toEqual(expect.arrayContaining(HEURISTICS));
  });

  it('lists as heuristics every policy that needs no agent, static ones first, and builds them under their own names', () => {
    expect(HEURISTIC_POLICY_NAMES).toEqual(POLICY_NAMES.slice(0, -3));
    expect(HEURISTIC_POLICY_NAMES).toEqual(expect.arrayContaining([...STATIC_POLICY_NAMES, ...HEURISTICS]));
    expect(POLICY_NAMES.filter((name) => agentModeOf(name) === undefined)).toEqual(HEURISTIC_POLICY_NAMES);
    const ctx = repoPolicyContext();
    for (const name of HEURISTIC_POLICY_NAMES) expect(createPolicy(name, ctx).name).toBe(name);
  });

  it('builds the ASET policies under their own names, the unshielded ablation included', () => {
    const controller = { choose: () => 0 };
    const agents: AsetAgents = { aset: { controller, policies: ['closest', 'cloud'], stepMs: 1000 }, asetDirect: { controller, candidateSlots: 8, nearestClusters: 4, safetyTiers: [4, 2, 1, 0] } };
    for (const name of POLICY_NAMES) expect(createPolicy(name, { ...repoPolicyContext(), agents }).name).toBe(name);
    expect(['aset', 'aset-direct', 'aset-direct-unshielded'].map(agentModeOf)).toEqual(['aset', 'aset-direct', 'aset-direct']);
  });

  it('refuses to build an ASET policy without its trained agent', () => {
    expect(() => createPolicy('aset', repoPolicyContext())).toThrow(/policy aset needs a trained agent: give its checkpoint/);
    expect(() => createPolicy('aset-direct', repoPolicyContext())).toThrow(/policy aset-direct needs a trained agent/);
    expect(() => createPolicy('aset-direct-unshielded', repoPolicyContext())).toThrow(/policy aset-direct-unshielded needs a trained agent/);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => createPolicy('fastest', repoPolicyContext())).toThrow(
      /unknown scheduling policy "fastest"; expected one of: closest, cloud, random, round-robin, least-loaded, latency-aware, shielded-greedy, power-of-two, slack-fit, shield-random, aset, aset-direct, aset-direct-unshielded$/,
    );
  });
});
