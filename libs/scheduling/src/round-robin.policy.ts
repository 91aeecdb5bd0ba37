import { noFeasibleOption } from './no-feasible.drop.js';
import type { HostedVariant } from './placement.catalog.js';
import type { Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';
import type { FeasibleSet } from './placement.catalog.js';

/**
 * `round-robin`: cycles through the clusters hosting a variant that meets the accuracy floor, one
 * cursor per (task, floor); variant: the cheapest such one there. Spreads load evenly, blind to
 * distance and load.
 */
export class RoundRobinPolicy implements SchedulingPolicy {
  readonly name = 'round-robin';
  private cursors = new Map<FeasibleSet, number>();

  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, _observation: Observation): Placement {
    const set = this.ctx.catalog.feasibleFor(query.task, query.slo.minAccuracy);
    if (set.clusters.length === 0) return noFeasibleOption(query);
    const k = this.cursors.get(set) ?? 0;
    this.cursors.set(set, (k + 1) % set.clusters.length);
    return (set.cheapest[k] as HostedVariant).dispatch;
  }

  reset(): void {
    this.cursors = new Map();
  }
}
