import type { PolicyContext, SchedulingPolicy } from './policy.contract.js';
import { ClosestPolicy } from './closest.policy.js';
import { CloudPolicy } from './cloud.policy.js';
import { RandomPolicy } from './random.policy.js';
import { RoundRobinPolicy } from './round-robin.policy.js';
import { LeastLoadedPolicy } from './least-loaded.policy.js';
import { LatencyAwarePolicy } from './latency-aware.policy.js';

/**
 * The one registry of scheduling policies, by the name used in config, on the wire and in reports.
 * To add a policy: implement SchedulingPolicy in `<name>.policy.ts` and add one line here.
 */
export const POLICY_REGISTRY = {
  closest: (ctx: PolicyContext): SchedulingPolicy => new ClosestPolicy(ctx),
  cloud: (ctx: PolicyContext): SchedulingPolicy => new CloudPolicy(ctx),
  random: (ctx: PolicyContext): SchedulingPolicy => new RandomPolicy(ctx),
  'round-robin': (ctx: PolicyContext): SchedulingPolicy => new RoundRobinPolicy(ctx),
  'least-loaded': (ctx: PolicyContext): SchedulingPolicy => new LeastLoadedPolicy(ctx),
  'latency-aware': (ctx: PolicyContext): SchedulingPolicy => new LatencyAwarePolicy(ctx),
} as const satisfies Record<string, (ctx: PolicyContext) => SchedulingPolicy>;

export type PolicyName = keyof typeof POLICY_REGISTRY;

export const POLICY_NAMES = Object.keys(POLICY_REGISTRY) as PolicyName[];

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICY_REGISTRY, name);
}

/** Builds a registered policy. Unknown names are a configuration error: the message lists the known ones. */
export function createPolicy(name: string, ctx: PolicyContext): SchedulingPolicy {
  if (!isPolicyName(name)) throw new Error(`unknown scheduling policy "${name}"; expected one of: ${POLICY_NAMES.join(', ')}`);
  return POLICY_REGISTRY[name](ctx);
}
