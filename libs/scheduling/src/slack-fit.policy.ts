import { ClusterEstimates } from './cluster-estimates.table.js';
import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS, SafetyShield } from './safety.shield.js';

/**
 * `slack-fit`: best fit on time (best-fit packing, Johnson, "Near-Optimal Bin Packing Algorithms",
 * MIT 1973, with the deadline as the bin; the placement counterpart of least-laxity-first, Mok 1983).
 * Of the live clusters that can serve the query (latency-aware's estimate with each one's cheapest
 * variant meeting the floor; see ClusterEstimates), among those the safety shield keeps at its
 * first non-empty tier, the query goes to the one that leaves the least slack
 * `budget - (estimate + margin)`, the margin being what the shield asked of that cluster at that
 * tier (excess delay plus the tier's jitter allowance); ties go to the lower estimate. When no tier
 * has any, the lowest estimate (best effort). A loose-SLO query thus goes as far as it safely can
 * (often the cloud) and leaves near capacity free for tight-SLO queries, which only near clusters
 * can serve.
 *
 * Known weakness: it spends each query's slack on purpose, keeping only the shield's margin, so
 * every underestimate becomes a miss where a greedy choice would have absorbed it: queueing that
 * builds between two heartbeats (every loose query decided on the same snapshot picks the same
 * just-fitting cluster), excess delay the decayed window has not caught up with, jitter beyond the
 * tier's deviations; and loose queries ride the longest links, most exposed to link degradation.
 * It gains only when tight work actually competes for near capacity. The shield reads its own
 * RecentActivity, fed as aset-direct feeds its own. O(feasible clusters) per decision; allocates
 * nothing per decision.
 */
export class SlackFitPolicy implements SchedulingPolicy {
  readonly name = 'slack-fit';
  readonly activity: RecentActivity;
  private readonly estimates: ClusterEstimates;
  private readonly shield: SafetyShield;
  private readonly mask: Uint8Array;

  constructor(ctx: PolicyContext, tiers: readonly number[] = DEFAULT_SAFETY_TIERS) {
    const n = ctx.scenario.clusters.length;
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.estimates = new ClusterEstimates(ctx.catalog);
    this.shield = new SafetyShield(ctx.scenario, this.activity, tiers, n);
    this.mask = new Uint8Array(n);
  }

  decide(query: QueryView, observation: Observation): Placement {
    this.activity.onArrival(query, observation.now);
    const est = this.estimates;
    const n = est.fill(query, observation);
    if (n < 0) return noFeasibleOption(query);
    if (n === 0) return noLiveCluster(query);
    const tier = this.shield.mark(est.source, est.cluster, est.estimate, n, est.budget, this.mask);
    let best = -1;
    let bestKey = Infinity;
    let bestEstimate = Infinity;
    for (let j = 0; j < n; j++) {
      if (this.mask[j] !== 1) continue;
      const e = est.estimate[j] as number;
      // Least slack = largest estimate plus margin; without a safe tier, lowest estimate.
      const key = tier < 0 ? e : est.budget - (e + this.shield.marginMs(j, tier));
      if (best < 0 || key < bestKey || (key === bestKey && e < bestEstimate)) {
        best = j;
        bestKey = key;
        bestEstimate = e;
      }
    }
    this.activity.onDispatch(est.cluster[best] as number);
    return est.hosted(best).dispatch;
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
  }
}
