import { ClusterEstimates } from './cluster-estimates.table.js';
import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView } from './policy.contract.js';
import { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS, SafetyShield } from './safety.shield.js';

/**
 * What the shielded heuristics share: their own RecentActivity (fed as aset-direct feeds its own:
 * arrivals and dispatches here, outcomes through {@link observeOutcome}), latency-aware's estimate per
 * live feasible cluster (ClusterEstimates), and the safety shield's first non-empty tier over them.
 * A policy calls {@link open} once per decision, picks one of the marked options, and returns
 * {@link place} of it. Allocates nothing per decision.
 */
export class ShieldedOptions {
  readonly activity: RecentActivity;
  readonly estimates: ClusterEstimates;
  readonly shield: SafetyShield;
  /** Per option of the last {@link open}: 1 when the shield keeps it. */
  readonly mask: Uint8Array;
  /** The tier the last {@link open} kept (index into the tiers), or -1 when none had any and every option is marked. */
  tier = -1;

  constructor(ctx: PolicyContext, tiers: readonly number[] = DEFAULT_SAFETY_TIERS) {
    const n = ctx.scenario.clusters.length;
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.estimates = new ClusterEstimates(ctx.catalog);
    this.shield = new SafetyShield(ctx.catalog, this.activity, tiers, n);
    this.mask = new Uint8Array(n);
  }

  /**
   * Records the arrival, estimates every live cluster that can serve the query and marks the
   * shield's choice. Returns how many options there are (at least 1), or the drop when there is
   * none: NO_FEASIBLE_OPTION, or NO_LIVE_CLUSTER when every cluster that could serve it is down.
   */
  open(query: QueryView, observation: Observation): number | Placement {
    this.activity.onArrival(query, observation.now);
    const est = this.estimates;
    const n = est.fill(query, observation);
    if (n < 0) return noFeasibleOption(query);
    if (n === 0) return noLiveCluster(query);
    this.tier = this.shield.mark(est.source, est.cluster, est.estimate, n, est.budget, this.mask);
    return n;
  }

  /** Records the dispatch to option `j` of the last {@link open} and returns its placement. */
  place(j: number): Placement {
    this.activity.onDispatch(this.estimates.cluster[j] as number);
    return this.estimates.hosted(j).dispatch;
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
  }
}
