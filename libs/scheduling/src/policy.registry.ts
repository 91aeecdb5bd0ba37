import type { PolicyContext, SchedulingPolicy } from './policy.contract.js';
import { STATIC_POLICIES } from './static.policies.js';
import { AsetPolicy } from './aset.policy.js';
import { AsetDirectPolicy } from './aset-direct.policy.js';
import { ShieldedGreedyPolicy } from './shielded-greedy.policy.js';
import { PowerOfTwoPolicy } from './power-of-two.policy.js';
import { SlackFitPolicy } from './slack-fit.policy.js';
import { ShieldRandomPolicy } from './shield-random.policy.js';

/**
 * The one registry of scheduling policies, by the name used in config, on the wire and in reports.
 * To add a policy: implement SchedulingPolicy in `<name>.policy.ts` and add one line here (guide:
 * docs/extending.md). It then runs in the live scheduler (`POLICY`), the simulator and, when it
 * needs no trained agent, among the heuristics every `experiment` compares.
 * Hand-written adaptive rules (heuristics) are registered here, not in STATIC_POLICIES: the `aset`
 * meta agent chooses among the static policies by index, and its checkpoints list them.
 */
export const POLICY_REGISTRY = {
  ...STATIC_POLICIES,
  'shielded-greedy': (ctx: PolicyContext): SchedulingPolicy => new ShieldedGreedyPolicy(ctx),
  'power-of-two': (ctx: PolicyContext): SchedulingPolicy => new PowerOfTwoPolicy(ctx),
  'slack-fit': (ctx: PolicyContext): SchedulingPolicy => new SlackFitPolicy(ctx),
  // Ablation of aset-direct: its candidates and shield, a uniform choice (uses the agent's settings when given one).
  'shield-random': (ctx: PolicyContext): SchedulingPolicy => new ShieldRandomPolicy(ctx),
  aset: (ctx: PolicyContext): SchedulingPolicy => new AsetPolicy(ctx, requireAgent(ctx, 'aset', 'aset')),
  'aset-direct': (ctx: PolicyContext): SchedulingPolicy => new AsetDirectPolicy(ctx, requireAgent(ctx, 'asetDirect', 'aset-direct')),
  // Ablation of aset-direct's shield: the same agent deciding among all its candidates.
  'aset-direct-unshielded': (ctx: PolicyContext): SchedulingPolicy =>
    new AsetDirectPolicy(ctx, { ...requireAgent(ctx, 'asetDirect', 'aset-direct-unshielded'), safetyTiers: [] }, 'aset-direct-unshielded'),
} as const satisfies Record<string, (ctx: PolicyContext) => SchedulingPolicy>;

export type PolicyName = keyof typeof POLICY_REGISTRY;

export const POLICY_NAMES = Object.keys(POLICY_REGISTRY) as PolicyName[];

/**
 * Every policy that needs no trained agent: the static policies, the hand-written adaptive rules
 * and shield-random. "The best heuristic" on a scenario is the best of these.
 */
export const HEURISTIC_POLICY_NAMES: readonly PolicyName[] = POLICY_NAMES.filter((name) => agentModeOf(name) === undefined);

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICY_REGISTRY, name);
}

/**
 * The kind of trained agent a registered policy needs (the `mode` of the checkpoint to load), or
 * undefined when it needs none. Callers that load checkpoints ask this, not a list of names.
 */
export function agentModeOf(name: string): 'aset' | 'aset-direct' | undefined {
  if (name === 'aset') return 'aset';
  if (name === 'aset-direct' || name === 'aset-direct-unshielded') return 'aset-direct';
  return undefined;
}

function requireAgent<K extends keyof NonNullable<PolicyContext['agents']>>(ctx: PolicyContext, key: K, policy: string): NonNullable<NonNullable<PolicyContext['agents']>[K]> {
  const agent = ctx.agents?.[key];
  if (!agent) throw new Error(`policy ${policy} needs a trained agent: give its checkpoint (scheduler: ASET_CHECKPOINT; simulator: --checkpoint)`);
  return agent as NonNullable<NonNullable<PolicyContext['agents']>[K]>;
}

/** Builds a registered policy. Unknown names are a configuration error: the message lists the known ones. */
export function createPolicy(name: string, ctx: PolicyContext): SchedulingPolicy {
  if (!isPolicyName(name)) throw new Error(`unknown scheduling policy "${name}"; expected one of: ${POLICY_NAMES.join(', ')}`);
  return POLICY_REGISTRY[name](ctx);
}
