import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { HostedVariant } from './placement.catalog.js';
import type { ClusterState, Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';
import type { FeasibleSet } from './placement.catalog.js';

/**
 * `round-robin`: cycles through the live clusters hosting a variant that meets the accuracy floor,
 * one cursor per (task, floor), skipping clusters that are down; variant: the cheapest such one
 * there. Spreads load evenly, blind to distance and load.
 */
export class RoundRobinPolicy implements SchedulingPolicy {
  readonly name = 'round-robin';
  private cursors = new Map<FeasibleSet, number>();

  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, observation: Observation): Placement {
    const set = this.ctx.catalog.feasibleFor(query.task, query.slo.minAccuracy);
    const n = set.clusters.length;
    if (n === 0) return noFeasibleOption(query);
    const start = this.cursors.get(set) ?? 0;
    for (let i = 0; i < n; i++) {
      const k = (start + i) % n;
      if (!(observation.clusters[set.clusters[k] as number] as ClusterState).alive) continue;
      this.cursors.set(set, (k + 1) % n);
      return (set.cheapest[k] as HostedVariant).dispatch;
    }
    return noLiveCluster(query);
  }

  reset(): void {
    this.cursors = new Map();
  }
}
