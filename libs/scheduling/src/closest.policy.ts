import { noFeasibleOption } from './no-feasible.drop.js';
import type { Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `closest`: the lowest-RTT cluster (from the query's source) that hosts a variant meeting the
 * accuracy SLO. Variant choice: the cheapest such variant on that cluster (lowest profiled latency),
 * since any of them meets the accuracy floor and the cheapest leaves the most latency budget.
 * Ignores load. Drops with NO_FEASIBLE_OPTION when no cluster qualifies.
 */
export class ClosestPolicy implements SchedulingPolicy {
  readonly name = 'closest';

  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, _observation: Observation): Placement {
    const { scenario, catalog } = this.ctx;
    const order = scenario.clustersByProximity(scenario.sourceIndex(query.source));
    for (const c of order) {
      const option = catalog.cheapestMeeting(c, query.task, query.slo.minAccuracy);
      if (option) return { kind: 'dispatch', clusterIndex: c, variantId: option.variant.id };
    }
    return noFeasibleOption(query);
  }
}
