import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { FeasibleSet, HostedVariant } from './placement.catalog.js';
import type { ClusterState, Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `closest`: the lowest-RTT live cluster (from the query's source) that hosts a variant meeting the
 * accuracy SLO. Variant: the cheapest such variant on that cluster (lowest profiled latency), since
 * any of them meets the accuracy floor and the cheapest leaves the most latency budget. Ignores
 * load. Drops with NO_FEASIBLE_OPTION when no cluster qualifies, NO_LIVE_CLUSTER when every one that
 * does is down. The qualifying clusters, nearest first, depend only on (source, task, floor), so
 * they are listed once per combination; a decision walks that list to the first live one.
 */
export class ClosestPolicy implements SchedulingPolicy {
  readonly name = 'closest';
  private readonly memo = new Map<FeasibleSet, (readonly HostedVariant[] | undefined)[]>();

  constructor(
    private readonly ctx: PolicyContext,
    /** Only clusters for which this holds (by scenario index); all by default. */
    private readonly eligible: (clusterIndex: number) => boolean = () => true,
  ) {}

  decide(query: QueryView, observation: Observation): Placement {
    const { scenario, catalog } = this.ctx;
    const set = catalog.feasibleFor(query.task, query.slo.minAccuracy);
    let bySource = this.memo.get(set);
    if (!bySource) {
      bySource = new Array<readonly HostedVariant[] | undefined>(scenario.sources.length);
      this.memo.set(set, bySource);
    }
    const source = query.sourceIndex ?? scenario.sourceIndex(query.source);
    let nearestFirst = bySource[source];
    if (!nearestFirst) {
      nearestFirst = this.qualifying(source, query);
      bySource[source] = nearestFirst;
    }
    if (nearestFirst.length === 0) return noFeasibleOption(query);
    for (const option of nearestFirst) if ((observation.clusters[option.dispatch.clusterIndex] as ClusterState).alive) return option.dispatch;
    return noLiveCluster(query);
  }

  private qualifying(source: number, query: QueryView): readonly HostedVariant[] {
    const { scenario, catalog } = this.ctx;
    const out: HostedVariant[] = [];
    for (const c of scenario.clustersByProximity(source)) {
      if (!this.eligible(c)) continue;
      const option = catalog.cheapestMeeting(c, query.task, query.slo.minAccuracy);
      if (option) out.push(option);
    }
    return out;
  }
}
