import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import type { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';
import { ShieldedOptions } from './shielded.options.js';

/**
 * `shielded-greedy`: earliest expected completion behind aset-direct's safety shield. For every live
 * cluster that can serve the query, latency-aware's estimate with the cluster's cheapest variant
 * meeting the accuracy floor (per cluster only that variant matters: same network and queue, the
 * shortest processing, so the lowest estimate and the first to be safe; see ClusterEstimates); the
 * shield (SafetyShield, default tiers {@link DEFAULT_SAFETY_TIERS}) keeps those whose estimate plus
 * the cluster's observed excess delay plus k jitter deviations fits the deadline at the first tier
 * that has any; the query goes to the lowest estimate among them, or to the lowest estimate overall
 * when no tier has any (best effort).
 *
 * It sees what aset-direct sees: its own RecentActivity, fed as aset-direct feeds its own (arrivals
 * and dispatches from `decide`, outcomes from `observeOutcome`), and the scenario's link jitter.
 * So it is the reference simple adaptive rule a learned per-query scheduler has to beat.
 * O(feasible clusters) per decision; allocates nothing per decision.
 */
export class ShieldedGreedyPolicy implements SchedulingPolicy {
  readonly name = 'shielded-greedy';
  private readonly options: ShieldedOptions;

  constructor(ctx: PolicyContext, tiers: readonly number[] = DEFAULT_SAFETY_TIERS) {
    this.options = new ShieldedOptions(ctx, tiers);
  }

  /** What it has observed (the shield reads its excess delays). */
  get activity(): RecentActivity {
    return this.options.activity;
  }

  decide(query: QueryView, observation: Observation): Placement {
    const n = this.options.open(query, observation);
    if (typeof n !== 'number') return n;
    const { mask, estimates } = this.options;
    let best = -1;
    let bestEstimate = Infinity;
    for (let j = 0; j < n; j++) {
      if (mask[j] === 1 && (best < 0 || (estimates.estimate[j] as number) < bestEstimate)) {
        best = j;
        bestEstimate = estimates.estimate[j] as number;
      }
    }
    return this.options.place(best);
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.options.observeOutcome(outcome);
  }
}
