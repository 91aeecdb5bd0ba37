import type { Placement, QueryView } from './policy.contract.js';

/** The drop every policy returns when no cluster hosts a variant of the task meeting the accuracy floor. */
export function noFeasibleOption(query: QueryView): Placement {
  return { kind: 'drop', reason: 'NO_FEASIBLE_OPTION', detail: `no cluster hosts a ${query.task} variant with accuracy >= ${query.slo.minAccuracy}` };
}
