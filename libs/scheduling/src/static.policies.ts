import type { PolicyContext, SchedulingPolicy } from './policy.contract.js';
import { ClosestPolicy } from './closest.policy.js';
import { CloudPolicy } from './cloud.policy.js';
import { RandomPolicy } from './random.policy.js';
import { RoundRobinPolicy } from './round-robin.policy.js';
import { LeastLoadedPolicy } from './least-loaded.policy.js';
import { LatencyAwarePolicy } from './latency-aware.policy.js';

/** The static policies (no learning): ASET's meta scheduler chooses among these. */
export const STATIC_POLICIES = {
  closest: (ctx: PolicyContext): SchedulingPolicy => new ClosestPolicy(ctx),
  cloud: (ctx: PolicyContext): SchedulingPolicy => new CloudPolicy(ctx),
  random: (ctx: PolicyContext): SchedulingPolicy => new RandomPolicy(ctx),
  'round-robin': (ctx: PolicyContext): SchedulingPolicy => new RoundRobinPolicy(ctx),
  'least-loaded': (ctx: PolicyContext): SchedulingPolicy => new LeastLoadedPolicy(ctx),
  'latency-aware': (ctx: PolicyContext): SchedulingPolicy => new LatencyAwarePolicy(ctx),
} as const satisfies Record<string, (ctx: PolicyContext) => SchedulingPolicy>;

export type StaticPolicyName = keyof typeof STATIC_POLICIES;

export const STATIC_POLICY_NAMES = Object.keys(STATIC_POLICIES) as StaticPolicyName[];

export function isStaticPolicyName(name: string): name is StaticPolicyName {
  return Object.hasOwn(STATIC_POLICIES, name);
}
