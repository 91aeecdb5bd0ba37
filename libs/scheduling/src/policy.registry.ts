import type { PolicyContext, SchedulingPolicy } from './policy.contract.js';
import { STATIC_POLICIES } from './static.policies.js';
import { AsetPolicy } from './aset.policy.js';
import { AsetDirectPolicy } from './aset-direct.policy.js';

/**
 * The one registry of scheduling policies, by the name used in config, on the wire and in reports.
 * To add a policy: implement SchedulingPolicy in `<name>.policy.ts` and add one line here.
 */
export const POLICY_REGISTRY = {
  ...STATIC_POLICIES,
  aset: (ctx: PolicyContext): SchedulingPolicy => new AsetPolicy(ctx, requireAgent(ctx, 'aset')),
  'aset-direct': (ctx: PolicyContext): SchedulingPolicy => new AsetDirectPolicy(ctx, requireAgent(ctx, 'asetDirect')),
} as const satisfies Record<string, (ctx: PolicyContext) => SchedulingPolicy>;

export type PolicyName = keyof typeof POLICY_REGISTRY;

export const POLICY_NAMES = Object.keys(POLICY_REGISTRY) as PolicyName[];

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICY_REGISTRY, name);
}

function requireAgent<K extends keyof NonNullable<PolicyContext['agents']>>(ctx: PolicyContext, key: K): NonNullable<NonNullable<PolicyContext['agents']>[K]> {
  const agent = ctx.agents?.[key];
  if (!agent) {
    const name = key === 'aset' ? 'aset' : 'aset-direct';
    throw new Error(`policy ${name} needs a trained agent: give its checkpoint (scheduler: ASET_CHECKPOINT; simulator: --checkpoint)`);
  }
  return agent as NonNullable<NonNullable<PolicyContext['agents']>[K]>;
}

/** Builds a registered policy. Unknown names are a configuration error: the message lists the known ones. */
export function createPolicy(name: string, ctx: PolicyContext): SchedulingPolicy {
  if (!isPolicyName(name)) throw new Error(`unknown scheduling policy "${name}"; expected one of: ${POLICY_NAMES.join(', ')}`);
  return POLICY_REGISTRY[name](ctx);
}
