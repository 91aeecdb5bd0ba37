import type { Placement, QueryView } from './policy.contract.js';

/** The drop every policy returns when no cluster hosts a variant of the task meeting the accuracy floor. */
export function noFeasibleOption(query: QueryView): Placement {
  return { kind: 'drop', reason: 'NO_FEASIBLE_OPTION', detail: `no cluster hosts a ${query.task} variant with accuracy >= ${query.slo.minAccuracy}` };
}

/** The drop every policy returns when clusters could serve the query but all of them are down. */
export function noLiveCluster(query: QueryView): Placement {
  return { kind: 'drop', reason: 'NO_LIVE_CLUSTER', detail: `every cluster hosting a ${query.task} variant with accuracy >= ${query.slo.minAccuracy} is down` };
}
