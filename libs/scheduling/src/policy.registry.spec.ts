import { describe, expect, it } from 'vitest';
import { createPolicy, POLICY_NAMES } from './policy.registry.js';
import { STATIC_POLICY_NAMES } from './static.policies.js';
import { repoPolicyContext } from './testing.js';

describe('policy registry', () => {
  it('builds every static policy under its own name', () => {
    const ctx = repoPolicyContext();
    for (const name of STATIC_POLICY_NAMES) expect(createPolicy(name, ctx).name).toBe(name);
    expect(POLICY_NAMES).toEqual([...STATIC_POLICY_NAMES, 'aset', 'aset-direct']);
  });

  it('refuses to build an ASET policy without its trained agent', () => {
    expect(() => createPolicy('aset', repoPolicyContext())).toThrow(/policy aset needs a trained agent: give its checkpoint/);
    expect(() => createPolicy('aset-direct', repoPolicyContext())).toThrow(/policy aset-direct needs a trained agent/);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => createPolicy('fastest', repoPolicyContext())).toThrow(/unknown scheduling policy "fastest"; expected one of: closest, cloud, random, round-robin, least-loaded, latency-aware, aset, aset-direct/);
  });
});
