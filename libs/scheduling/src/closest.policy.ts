import { noFeasibleOption } from './no-feasible.drop.js';
import type { FeasibleSet } from './placement.catalog.js';
import type { Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `closest`: the lowest-RTT cluster (from the query's source) that hosts a variant meeting the
 * accuracy SLO. Variant choice: the cheapest such variant on that cluster (lowest profiled latency),
 * since any of them meets the accuracy floor and the cheapest leaves the most latency budget.
 * Ignores load. Drops with NO_FEASIBLE_OPTION when no cluster qualifies. The answer depends only on
 * (source, task, floor), so it is computed once per combination.
 */
export class ClosestPolicy implements SchedulingPolicy {
  readonly name = 'closest';
  private readonly memo = new Map<FeasibleSet, (Placement | undefined)[]>();

  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, _observation: Observation): Placement {
    const { scenario, catalog } = this.ctx;
    const set = catalog.feasibleFor(query.task, query.slo.minAccuracy);
    let bySource = this.memo.get(set);
    if (!bySource) {
      bySource = new Array<Placement | undefined>(scenario.sources.length);
      this.memo.set(set, bySource);
    }
    const source = query.sourceIndex ?? scenario.sourceIndex(query.source);
    let placement = bySource[source];
    if (!placement) {
      placement = this.nearest(source, query);
      bySource[source] = placement;
    }
    return placement;
  }

  private nearest(source: number, query: QueryView): Placement {
    const { scenario, catalog } = this.ctx;
    for (const c of scenario.clustersByProximity(source)) {
      const option = catalog.cheapestMeeting(c, query.task, query.slo.minAccuracy);
      if (option) return option.dispatch;
    }
    return noFeasibleOption(query);
  }
}
