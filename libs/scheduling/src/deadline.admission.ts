import { transferMs } from '@aset/scenario';
import type { PlacementCatalog } from './placement.catalog.js';
import type { ClusterState, Observation, Placement, QueryView } from './policy.contract.js';

/**
 * Jitter allowance of the network floor, in standard deviations per direction: a link's delay is
 * its nominal one-way time plus normal jitter (truncated at 0), so it falls below the nominal time
 * less this many deviations with probability under 1e-9.
 */
export const ADMISSION_JITTER_SIGMAS = 6;

/**
 * Deadline-aware admission: a query that no live cluster can answer by its deadline
 * (`createdAt + slo.maxLatencyMs`) is dropped at once with `DEADLINE_UNREACHABLE`, before any
 * policy sees it. The live scheduler and the simulator apply it, from this one class, to every
 * policy alike, when admission is on.
 *
 * The test is a lower bound of the time of the answer, so that a query some policy could still
 * serve in time is never refused. For each live cluster hosting a variant of the query's task that
 * meets its accuracy floor, from what the scheduler observes (`busySlots`, `queueLength`, measured
 * at `reportedAt`):
 *
 *     answer >= max(now + requestFloor, reportedAt + pMin * (ceil((queueLength + 1) / slots) - 1))
 *               + processing + replyFloor
 *
 * - request/reply floor: the link's nominal one-way time (rtt/2 + transfer) less
 *   {@link ADMISSION_JITTER_SIGMAS} deviations of jitter, at least 0 (the scenario's links: a
 *   degradation under way only adds delay, unless it multiplies the jitter);
 * - processing: the cluster's fastest variant meeting the floor, at its profiled time times the
 *   hardware speed factor (slowdowns only lengthen it; unprofiled variants count 0);
 * - the queue: the `queueLength` queries waiting at `reportedAt` start before this one (FIFO), and
 *   each slot starts at most one query at once and then one per `pMin`, the fastest processing
 *   time of any variant the cluster hosts; so the query starts no earlier than that many rounds
 *   after `reportedAt`, however much drained since. A cluster reporting more busy slots than it
 *   has (replicas) counts as having that many slots.
 *
 * Clusters that are down are left out (a policy cannot use them); a query that no cluster could
 * serve at all, or only clusters that are down, is left to the policy (it drops it with its own
 * reason). Allocates nothing per admitted query once the (source, app, task) rows exist.
 */
export class DeadlineAdmission {
  /** Per cluster: the fastest processing time of any variant it hosts, ms. */
  private readonly minProcessingMs: Float64Array;
  /** Per app, task and source: per cluster, the request and reply floors (interleaved: 2c, 2c + 1). */
  private readonly floors = new Map<string, Map<string, (Float64Array | undefined)[]>>();

  constructor(private readonly catalog: PlacementCatalog) {
    const scenario = catalog.scenario;
    this.minProcessingMs = Float64Array.from(scenario.clusters, (cluster, c) => {
      let min = Infinity;
      for (const id of cluster.variants) {
        const task = catalog.zoo.requireVariant(id).task;
        for (const o of catalog.options(c, task)) if (o.processingMs < min) min = o.processingMs;
      }
      return Number.isFinite(min) ? min : 0;
    });
  }

  /** The drop of a query no live cluster can answer by its deadline, or undefined when it is admitted. */
  check(query: QueryView, observation: Observation): Extract<Placement, { kind: 'drop' }> | undefined {
    const set = this.catalog.feasibleFor(query.task, query.slo.minAccuracy);
    if (set.clusters.length === 0) return undefined;
    const source = query.sourceIndex ?? this.catalog.scenario.sourceIndex(query.source);
    const floors = this.floorRow(source, query.app, query.task);
    const deadline = query.createdAt + query.slo.maxLatencyMs;
    let earliest = Infinity;
    let alive = 0;
    for (let k = 0; k < set.clusters.length; k++) {
      const c = set.clusters[k] as number;
      const state = observation.clusters[c] as ClusterState;
      if (!state.alive) continue;
      alive++;
      const at = this.answerFloor(c, state, observation.now, floors, (set.cheapest[k] as { processingMs: number }).processingMs);
      if (at <= deadline) return undefined;
      if (at < earliest) earliest = at;
    }
    if (alive === 0) return undefined;
    return {
      kind: 'drop',
      reason: 'DEADLINE_UNREACHABLE',
      detail: `no live cluster can answer by the deadline (${query.slo.maxLatencyMs} ms after creation): the earliest possible answer is ${Math.round(earliest - query.createdAt)} ms after it`,
    };
  }

  /**
   * The lower bound above of when cluster `c` could answer a query decided at `now` whose fastest
   * eligible variant there takes `processingMs`; `floors` is {@link floorRow} of the query's source.
   */
  answerFloor(c: number, state: ClusterState, now: number, floors: Float64Array, processingMs: number): number {
    const slots = Math.max(this.catalog.slots[c] as number, state.busySlots);
    const reportedAt = state.reportedAt === undefined ? now : Math.min(state.reportedAt, now);
    const rounds = Math.ceil((state.queueLength + 1) / slots) - 1;
    const start = Math.max(now + (floors[2 * c] as number), reportedAt + rounds * (this.minProcessingMs[c] as number));
    return start + processingMs + (floors[2 * c + 1] as number);
  }

  /** Per cluster `c`: the request floor at `2c` and the reply floor at `2c + 1`, ms, from a source for an app; computed once, then cached. */
  floorRow(sourceIndex: number, app: string, task: string): Float64Array {
    let byTask = this.floors.get(app);
    if (!byTask) {
      byTask = new Map();
      this.floors.set(app, byTask);
    }
    let bySource = byTask.get(task);
    if (!bySource) {
      bySource = new Array<Float64Array | undefined>(this.catalog.scenario.sources.length);
      byTask.set(task, bySource);
    }
    let row = bySource[sourceIndex];
    if (!row) {
      const scenario = this.catalog.scenario;
      const { request, reply } = this.catalog.messageBytes(app, task);
      row = new Float64Array(2 * scenario.clusters.length);
      for (let c = 0; c < scenario.clusters.length; c++) {
        const link = scenario.linkAt(sourceIndex, c);
        const floor = (bytes: number) => Math.max(0, link.rttMs / 2 + transferMs(link, bytes) - ADMISSION_JITTER_SIGMAS * link.jitterMs);
        row[2 * c] = floor(request);
        row[2 * c + 1] = floor(reply);
      }
      bySource[sourceIndex] = row;
    }
    return row;
  }
}
