import { ClosestPolicy } from './closest.policy.js';
import type { Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `cloud`: always the cloud. The lowest-RTT live cloud-tier cluster (from the query's source)
 * hosting a variant that meets the accuracy floor; variant: the cheapest such one. Falls back to no
 * other tier: drops with NO_FEASIBLE_OPTION when no cloud cluster qualifies, NO_LIVE_CLUSTER when
 * every one that does is down.
 */
export class CloudPolicy implements SchedulingPolicy {
  readonly name = 'cloud';
  private readonly nearestCloud: ClosestPolicy;

  constructor(ctx: PolicyContext) {
    const isCloud = ctx.scenario.clusters.map((c) => c.tier === 'cloud');
    this.nearestCloud = new ClosestPolicy(ctx, (c) => isCloud[c] === true);
  }

  decide(query: QueryView, observation: Observation): Placement {
    return this.nearestCloud.decide(query, observation);
  }
}
