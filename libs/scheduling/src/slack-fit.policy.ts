import { ShieldedChoicePolicy } from './shielded-choice.policy.js';

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
export class SlackFitPolicy extends ShieldedChoicePolicy {
  readonly name = 'slack-fit';

  protected choose(n: number): number {
    const { mask, estimates: est, shield, tier } = this.options;
    let best = -1;
    let bestKey = Infinity;
    let bestEstimate = Infinity;
    for (let j = 0; j < n; j++) {
      if (mask[j] !== 1) continue;
      const e = est.estimate[j] as number;
      // Least slack = largest estimate plus margin; without a safe tier, lowest estimate.
      const key = tier < 0 ? e : est.budget - (e + shield.marginMs(j, tier));
      if (best < 0 || key < bestKey || (key === bestKey && e < bestEstimate)) {
        best = j;
        bestKey = key;
        bestEstimate = e;
      }
    }
    return best;
  }
}
