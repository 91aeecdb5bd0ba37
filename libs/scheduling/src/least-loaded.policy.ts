import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { HostedVariant } from './placement.catalog.js';
import type { ClusterState, Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `least-loaded`: among the live clusters hosting a variant that meets the accuracy floor, the one with
 * the lowest load `(busySlots + queueLength) / slots`; ties go to the nearer cluster. Variant: the
 * cheapest such one there. Blind to network distance otherwise.
 */
export class LeastLoadedPolicy implements SchedulingPolicy {
  readonly name = 'least-loaded';
  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, observation: Observation): Placement {
    const { scenario, catalog } = this.ctx;
    const set = catalog.feasibleFor(query.task, query.slo.minAccuracy);
    if (set.clusters.length === 0) return noFeasibleOption(query);
    const source = query.sourceIndex ?? scenario.sourceIndex(query.source);
    let best = -1;
    let bestLoad = Infinity;
    let bestRtt = Infinity;
    for (let k = 0; k < set.clusters.length; k++) {
      const c = set.clusters[k] as number;
      const state = observation.clusters[c] as ClusterState;
      if (!state.alive) continue;
      const load = (state.busySlots + state.queueLength) / (catalog.slots[c] as number);
      const rtt = scenario.linkAt(source, c).rttMs;
      if (load < bestLoad || (load === bestLoad && rtt < bestRtt)) {
        best = k;
        bestLoad = load;
        bestRtt = rtt;
      }
    }
    if (best < 0) return noLiveCluster(query);
    return (set.cheapest[best] as HostedVariant).dispatch;
  }
}
