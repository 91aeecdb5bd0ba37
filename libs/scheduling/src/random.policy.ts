import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { HostedVariant } from './placement.catalog.js';
import type { ClusterState, Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `random`: a uniformly random live cluster among those hosting a variant that meets the accuracy
 * floor (from the context's seeded stream); variant: the cheapest such one there. A baseline.
 */
export class RandomPolicy implements SchedulingPolicy {
  readonly name = 'random';
  private live: number[] = [];

  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, observation: Observation): Placement {
    const set = this.ctx.catalog.feasibleFor(query.task, query.slo.minAccuracy);
    if (set.clusters.length === 0) return noFeasibleOption(query);
    const k = Math.floor(this.ctx.random() * set.clusters.length);
    if ((observation.clusters[set.clusters[k] as number] as ClusterState).alive) return (set.cheapest[k] as HostedVariant).dispatch;
    // The draw hit a dead cluster: draw again among the live ones (every live one stays equally likely).
    this.live.length = 0;
    for (let j = 0; j < set.clusters.length; j++) if ((observation.clusters[set.clusters[j] as number] as ClusterState).alive) this.live.push(j);
    if (this.live.length === 0) return noLiveCluster(query);
    return (set.cheapest[this.live[Math.floor(this.ctx.random() * this.live.length)] as number] as HostedVariant).dispatch;
  }
}
