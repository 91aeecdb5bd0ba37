import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import type { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';
import { ShieldedOptions } from './shielded.options.js';

/**
 * A hand-written rule that chooses among the options the safety shield keeps (ShieldedOptions):
 * `decide` lists the live options with their estimates and the shield's mask, asks the subclass to
 * {@link choose} one, and dispatches to it; it drops the query, naming why, when there is no option.
 * Arrivals, dispatches and outcomes feed the rule's own RecentActivity, as aset-direct feeds its own.
 */
export abstract class ShieldedChoicePolicy implements SchedulingPolicy {
  abstract readonly name: string;
  protected readonly options: ShieldedOptions;

  constructor(ctx: PolicyContext, tiers: readonly number[] = DEFAULT_SAFETY_TIERS) {
    this.options = new ShieldedOptions(ctx, tiers);
  }

  /** What it has observed (the shield reads its excess delays). */
  get activity(): RecentActivity {
    return this.options.activity;
  }

  decide(query: QueryView, observation: Observation): Placement {
    const n = this.options.open(query, observation);
    return typeof n === 'number' ? this.options.place(this.choose(n)) : n;
  }

  /**
   * The option to dispatch to, an index below `n` (n >= 1). The shield keeps the options marked 1 in
   * `options.mask` at tier `options.tier`; when no tier kept any (`tier` -1) every option is marked.
   * It must return a marked option.
   */
  protected abstract choose(n: number): number;

  observeOutcome(outcome: QueryOutcome): void {
    this.options.observeOutcome(outcome);
  }
}
