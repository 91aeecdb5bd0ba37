import { noFeasibleOption } from './no-feasible.drop.js';
import type { HostedVariant } from './placement.catalog.js';
import type { Observation, Placement, PolicyContext, QueryView, SchedulingPolicy } from './policy.contract.js';

/**
 * `random`: a uniformly random cluster among those hosting a variant that meets the accuracy floor
 * (from the context's seeded stream); variant: the cheapest such one there. A baseline.
 */
export class RandomPolicy implements SchedulingPolicy {
  readonly name = 'random';

  constructor(private readonly ctx: PolicyContext) {}

  decide(query: QueryView, _observation: Observation): Placement {
    const set = this.ctx.catalog.feasibleFor(query.task, query.slo.minAccuracy);
    if (set.clusters.length === 0) return noFeasibleOption(query);
    const k = Math.floor(this.ctx.random() * set.clusters.length);
    return (set.cheapest[k] as HostedVariant).dispatch;
  }
}
