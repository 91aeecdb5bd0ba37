import { serviceEstimateMs, type FeasibleSet, type HostedVariant, type PlacementCatalog } from './placement.catalog.js';
import type { ClusterState, Observation, QueryView } from './policy.contract.js';

const NO_SET: FeasibleSet = { clusters: new Int32Array(0), cheapest: [], options: [], meetingAt: [], cheapestAt: [] };

/**
 * Per query, latency-aware's latency estimate for every live cluster that can serve it, each with
 * its cheapest variant meeting the accuracy floor:
 *
 *     network(source, cluster, app, task) + serviceEstimateMs(variant, waiting, slots)
 *     waiting = max(0, busySlots + queueLength - slots + 1)
 *
 * One entry per cluster suffices for any rule that prefers lower estimates or tests estimates
 * against a deadline: the network time and the queue are the cluster's, not the variant's, and the
 * factor `waiting / slots + 1` is at least 1, so on a given cluster the variant with the shortest
 * processing time has the lowest estimate, and is safe under the shield whenever any variant there
 * is (the shield's margin is per cluster too). The catalog's cheapest variant is that one whenever
 * the variants are profiled (its cost is then the profiled time; unprofiled ones are estimated at
 * 0 ms anyway; with batching, per-cluster rules make this an approximation). Accuracy above the floor earns nothing in the SLO. So the table is O(clusters) per
 * query, not O(options).
 *
 * Network times come from the catalog's rows (computed once per (app, task, source), then kept).
 * {@link fill} allocates nothing once those rows exist; the arrays are reused, so read them before
 * the next call.
 */
export class ClusterEstimates {
  /** Per entry `j < count`: the cluster's scenario index. */
  readonly cluster: Int32Array;
  /** Per entry: the estimated end-to-end latency, ms. */
  readonly estimate: Float64Array;
  /** Per entry: its index in the feasible set (`set.clusters`, `set.cheapest`). */
  readonly entry: Int32Array;
  /** Entries written by the last {@link fill}. */
  count = 0;
  /** The last query's feasible set, source index and budget (time left before its deadline, ms). */
  set: FeasibleSet = NO_SET;
  source = 0;
  budget = 0;

  constructor(private readonly catalog: PlacementCatalog) {
    const n = catalog.scenario.clusters.length;
    this.cluster = new Int32Array(n);
    this.estimate = new Float64Array(n);
    this.entry = new Int32Array(n);
  }

  /**
   * Fills the entries for `query` as `observation` shows the clusters, in scenario order, skipping
   * clusters that are not alive. Returns the number of entries; -1 when no cluster at all hosts a
   * variant meeting the floor (drop with NO_FEASIBLE_OPTION), 0 when all that do are down
   * (NO_LIVE_CLUSTER).
   */
  fill(query: QueryView, observation: Observation): number {
    const catalog = this.catalog;
    const set = catalog.feasibleFor(query.task, query.slo.minAccuracy);
    this.set = set;
    this.count = 0;
    if (set.clusters.length === 0) return -1;
    const source = query.sourceIndex ?? catalog.scenario.sourceIndex(query.source);
    this.source = source;
    this.budget = query.createdAt + query.slo.maxLatencyMs - observation.now;
    const network = this.catalog.networkRow(source, query.app, query.task);
    let n = 0;
    for (let k = 0; k < set.clusters.length; k++) {
      const c = set.clusters[k] as number;
      const state = observation.clusters[c] as ClusterState;
      if (!state.alive) continue;
      const slots = catalog.slots[c] as number;
      const waiting = Math.max(0, state.busySlots + state.queueLength - slots + 1);
      this.cluster[n] = c;
      this.entry[n] = k;
      this.estimate[n] = (network[c] as number) + serviceEstimateMs(set.cheapest[k] as HostedVariant, waiting, slots);
      n++;
    }
    this.count = n;
    return n;
  }

  /** The catalog's variant of entry `j` of the last fill (its `dispatch` is the placement). */
  hosted(j: number): HostedVariant {
    return this.set.cheapest[this.entry[j] as number] as HostedVariant;
  }
}
