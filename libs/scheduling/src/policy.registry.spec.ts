import { describe, expect, it } from 'vitest';
import { createPolicy, POLICY_NAMES } from './policy.registry.js';
import { repoPolicyContext } from './testing.js';

describe('policy registry', () => {
  it('builds every registered policy under its own name', () => {
    const ctx = repoPolicyContext();
    for (const name of POLICY_NAMES) expect(createPolicy(name, ctx).name).toBe(name);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => createPolicy('fastest', repoPolicyContext())).toThrow(/unknown scheduling policy "fastest"; expected one of: closest, cloud, random, round-robin, least-loaded, latency-aware/);
  });
});
