import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import { serviceEstimateMs } from './placement.catalog.js';
import type { ClusterState, Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `latency-aware`, in the manner of INFaaS: for every (cluster, variant) meeting the accuracy floor,
 * on a live cluster, estimate the end-to-end latency as network (RTT plus payload transfer both ways) + queueing
 * (the work ahead of the query shared over the cluster's slots) + processing (profiled time times the
 * hardware speed factor), and pick the most accurate variant whose estimate fits the time left before
 * the deadline; ties go to the lower estimate. When nothing fits, the option with the lowest estimate
 * is used (best effort: estimates are conservative, and a late answer still counts in reports).
 */
export class LatencyAwarePolicy implements SchedulingPolicy {
  readonly name = 'latency-aware';
  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, observation: Observation): Placement {
    const { scenario, catalog } = this.ctx;
    const set = catalog.feasibleFor(query.task, query.slo.minAccuracy);
    if (set.options.length === 0) return noFeasibleOption(query);
    const source = query.sourceIndex ?? scenario.sourceIndex(query.source);
    const budget = query.createdAt + query.slo.maxLatencyMs - observation.now;
    const network = catalog.networkRow(source, query.app, query.task);
    let chosen = -1;
    let chosenEstimate = Infinity;
    let fastest = -1;
    let fastestEstimate = Infinity;
    for (let k = 0; k < set.options.length; k++) {
      const { clusterIndex: c, hosted } = set.options[k] as (typeof set.options)[number];
      const state = observation.clusters[c] as ClusterState;
      if (!state.alive) continue;
      const slots = catalog.slots[c] as number;
      const waiting = Math.max(0, state.busySlots + state.queueLength - slots + 1);
      const estimate = (network[c] as number) + serviceEstimateMs(hosted, waiting, slots);
      if (estimate < fastestEstimate) {
        fastest = k;
        fastestEstimate = estimate;
      }
      // Options are sorted most accurate first: the first fitting accuracy level wins, the lowest estimate within it.
      if (estimate <= budget) {
        if (chosen < 0) {
          chosen = k;
          chosenEstimate = estimate;
        } else if (hosted.accuracy === (set.options[chosen] as (typeof set.options)[number]).hosted.accuracy && estimate < chosenEstimate) {
          chosen = k;
          chosenEstimate = estimate;
        }
      }
    }
    if (fastest < 0) return noLiveCluster(query);
    const pick = set.options[chosen >= 0 ? chosen : fastest] as (typeof set.options)[number];
    return pick.hosted.dispatch;
  }
}
