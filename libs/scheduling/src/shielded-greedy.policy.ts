import { ClusterEstimates } from './cluster-estimates.table.js';
import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS, SafetyShield } from './safety.shield.js';

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
  readonly activity: RecentActivity;
  private readonly estimates: ClusterEstimates;
  private readonly shield: SafetyShield;
  private readonly mask: Uint8Array;

  constructor(ctx: PolicyContext, tiers: readonly number[] = DEFAULT_SAFETY_TIERS) {
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.estimates = new ClusterEstimates(ctx.catalog);
    this.shield = new SafetyShield(ctx.scenario, this.activity, tiers, ctx.scenario.clusters.length);
    this.mask = new Uint8Array(ctx.scenario.clusters.length);
  }

  decide(query: QueryView, observation: Observation): Placement {
    this.activity.onArrival(query, observation.now);
    const est = this.estimates;
    const n = est.fill(query, observation);
    if (n < 0) return noFeasibleOption(query);
    if (n === 0) return noLiveCluster(query);
    this.shield.mark(est.source, est.cluster, est.estimate, n, est.budget, this.mask);
    let best = -1;
    let bestEstimate = Infinity;
    for (let j = 0; j < n; j++) {
      if (this.mask[j] === 1 && (best < 0 || (est.estimate[j] as number) < bestEstimate)) {
        best = j;
        bestEstimate = est.estimate[j] as number;
      }
    }
    this.activity.onDispatch(est.cluster[best] as number);
    return est.hosted(best).dispatch;
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
  }
}
