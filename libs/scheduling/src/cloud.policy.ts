import { noFeasibleOption } from './no-feasible.drop.js';
import type { Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `cloud`: always the cloud. The lowest-RTT cloud-tier cluster (from the query's source) hosting a
 * variant that meets the accuracy floor; variant: the cheapest such one. Falls back to no other tier:
 * drops with NO_FEASIBLE_OPTION when no cloud cluster qualifies.
 */
export class CloudPolicy implements SchedulingPolicy {
  readonly name = 'cloud';
  private readonly isCloud: boolean[];

  constructor(private readonly ctx: PolicyContext) {
    this.isCloud = ctx.scenario.clusters.map((c) => c.tier === 'cloud');
  }

  decide(query: QueryView, _observation: Observation): Placement {
    const { scenario, catalog } = this.ctx;
    for (const c of scenario.clustersByProximity(query.sourceIndex ?? scenario.sourceIndex(query.source))) {
      if (!this.isCloud[c]) continue;
      const option = catalog.cheapestMeeting(c, query.task, query.slo.minAccuracy);
      if (option) return option.dispatch;
    }
    return noFeasibleOption(query);
  }
}
