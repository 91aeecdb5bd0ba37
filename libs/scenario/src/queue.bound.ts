import type { ClusterSpec } from './scenario.schema.js';

/**
 * The bounded queue of a cluster, one rule for the workers and the simulator: a query arriving at
 * the cluster with every slot busy and `maxQueue` queries already waiting is refused at once
 * (`QUEUE_FULL`), as Triton refuses past `max_queue_size`. A cluster without `maxQueue` never
 * refuses. `busy` and `waiting` are the cluster's state just before the query arrives.
 */
export function queueRefuses(cluster: Pick<ClusterSpec, 'slots' | 'maxQueue'>, busy: number, waiting: number): boolean {
  return cluster.maxQueue !== undefined && busy >= cluster.slots && waiting >= cluster.maxQueue;
}
