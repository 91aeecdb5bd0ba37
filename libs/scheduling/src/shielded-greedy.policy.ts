import { ShieldedChoicePolicy } from './shielded-choice.policy.js';

/**
 * `shielded-greedy`: earliest expected completion behind aset-direct's safety shield. For every live
 * cluster that can serve the query, latency-aware's estimate with the cluster's cheapest variant
 * meeting the accuracy floor (per cluster only that variant matters: same network and queue, the
 * shortest processing, so the lowest estimate and the first to be safe; see ClusterEstimates); the
 * shield (SafetyShield, default tiers DEFAULT_SAFETY_TIERS) keeps those whose estimate plus
 * the cluster's observed excess delay plus k jitter deviations fits the deadline at the first tier
 * that has any; the query goes to the lowest estimate among them, or to the lowest estimate overall
 * when no tier has any (best effort).
 *
 * It sees what aset-direct sees: its own RecentActivity, fed as aset-direct feeds its own (arrivals
 * and dispatches from `decide`, outcomes from `observeOutcome`), and the scenario's link jitter.
 * So it is the reference simple adaptive rule a learned per-query scheduler has to beat.
 * O(feasible clusters) per decision; allocates nothing per decision.
 */
export class ShieldedGreedyPolicy extends ShieldedChoicePolicy {
  readonly name = 'shielded-greedy';

  protected choose(n: number): number {
    const { mask, estimates } = this.options;
    let best = -1;
    let bestEstimate = Infinity;
    for (let j = 0; j < n; j++) {
      if (mask[j] === 1 && (best < 0 || (estimates.estimate[j] as number) < bestEstimate)) {
        best = j;
        bestEstimate = estimates.estimate[j] as number;
      }
    }
    return best;
  }
}
