import type { ModelZoo, VariantSpec } from '@aset/model-zoo';
import { batchingRules, transferMs, type BatchingRule, type Scenario } from '@aset/scenario';

/** One model variant hosted on one cluster. */
export interface HostedVariant {
  readonly variant: VariantSpec;
  readonly accuracy: number;
  /** Profiled batch-1 processing time on the profiling host, ms; 0 when not profiled. */
  readonly baseMs: number;
  /** `baseMs` scaled by the cluster's hardware speed factor. */
  readonly processingMs: number;
  /** Rank for "cheapest": processing time, else parameter count. */
  readonly cost: number;
  /** Its position in the cluster's `variants` (the cluster queue's variant index). */
  readonly variantIndex: number;
  /** How the cluster batches its queries (the scenario's `batching`, else one at a time). */
  readonly batching: BatchingRule;
  /** `batchMs[n]`: processing time of a batch of n (1..maxBatchSize) on the cluster, ms (profiled, interpolated, times the speed factor); `batchMs[1]` is `processingMs`. */
  readonly batchMs: Float64Array;
  /** Slot time per query when its queue runs full batches, ms: `batchMs[maxBatchSize] / maxBatchSize` (`processingMs` without batching). */
  readonly drainMs: number;
  /** The placement sending a query here, shared (placements are immutable): policies return it without allocating. */
  readonly dispatch: { readonly kind: 'dispatch'; readonly clusterIndex: number; readonly variantId: string; readonly hosted: HostedVariant };
}

/**
 * The policies' estimate of the time from a query's arrival at a cluster to its answer there, ms,
 * with `waiting` queries ahead of it beyond the free slots (`max(0, busy + queue - slots + 1)`):
 * without batching `(waiting / slots + 1) * processingMs`; with it, the queue ahead drains at
 * `drainMs` per query per slot, the query's own batch takes `batchMs[min(waiting + 1, maxBatchSize)]`,
 * and a batch the queue cannot fill waits `maxQueueDelayMs` first.
 */
export function serviceEstimateMs(hosted: HostedVariant, waiting: number, slots: number): number {
  const max = hosted.batching.maxBatchSize;
  if (max === 1) return (waiting / slots + 1) * hosted.processingMs;
  const own = waiting + 1 < max ? waiting + 1 : max;
  return (waiting / slots) * hosted.drainMs + (hosted.batchMs[own] as number) + (own < max ? hosted.batching.maxQueueDelayMs : 0);
}

/** Where a query of some (task, accuracy floor) can run at all: one entry per cluster that hosts a variant meeting the floor. */
export interface FeasibleSet {
  /** Cluster indices, in scenario order. */
  readonly clusters: Int32Array;
  /** Per entry of `clusters`: the cheapest variant there that meets the floor. */
  readonly cheapest: readonly HostedVariant[];
  /** Every (cluster, variant) pair meeting the floor, most accurate first (ties: cheaper first). */
  readonly options: readonly { readonly clusterIndex: number; readonly hosted: HostedVariant }[];
  /** Per cluster index (every cluster of the scenario): its variants meeting the floor, least accurate first (as `PlacementCatalog.options`); empty where none. */
  readonly meetingAt: readonly (readonly HostedVariant[])[];
  /** Per cluster index: `PlacementCatalog.cheapestMeeting` there (undefined where no variant meets the floor). */
  readonly cheapestAt: readonly (HostedVariant | undefined)[];
}

const NONE: readonly HostedVariant[] = Object.freeze([]);

/**
 * Precomputed placement options: per cluster and task, the variants it hosts, least accurate first.
 * Built once per (scenario, zoo); policies look options up without allocating.
 */
export class PlacementCatalog {
  private readonly hosted: Map<string, HostedVariant[]>[];
  /** Slots per cluster index (how many queries it runs at once). */
  readonly slots: Int32Array;
  private readonly feasible = new Map<string, Map<number, FeasibleSet>>();
  private readonly taskBytes = new Map<string, number>();
  private readonly networkRows = new Map<string, Map<string, (Float64Array | undefined)[]>>();
  private readonly jitterRows: (Float64Array | undefined)[];
  private nominalRtt: Float64Array | undefined;

  constructor(
    readonly scenario: Scenario,
    readonly zoo: ModelZoo,
  ) {
    this.slots = Int32Array.from(scenario.clusters, (c) => c.slots);
    this.jitterRows = new Array<Float64Array | undefined>(scenario.sources.length);
    this.hosted = scenario.clusters.map((cluster, index) => {
      const speed = scenario.hardwareOf(cluster).speedFactor;
      const byTask = new Map<string, HostedVariant[]>();
      const rules = batchingRules(cluster);
      cluster.variants.forEach((id, variantIndex) => {
        const variant = zoo.requireVariant(id);
        const baseMs = zoo.processingMs(variant) ?? 0;
        const list = byTask.get(variant.task) ?? [];
        const batching = rules[variantIndex] as BatchingRule;
        const batchMs = new Float64Array(batching.maxBatchSize + 1);
        for (let n = 1; n <= batching.maxBatchSize; n++) batchMs[n] = (zoo.batchMs(variant, n) ?? 0) * speed;
        const drainMs = (batchMs[batching.maxBatchSize] as number) / batching.maxBatchSize;
        const entry = { variant, accuracy: variant.accuracy, baseMs, processingMs: baseMs * speed, cost: zoo.cost(variant), variantIndex, batching, batchMs, drainMs } as HostedVariant & {
          dispatch: HostedVariant['dispatch'];
        };
        entry.dispatch = Object.freeze({ kind: 'dispatch' as const, clusterIndex: index, variantId: variant.id, hosted: entry });
        list.push(Object.freeze(entry));
        byTask.set(variant.task, list);
      });
      for (const list of byTask.values()) list.sort((a, b) => a.accuracy - b.accuracy || a.cost - b.cost);
      return byTask;
    });
  }

  /** Variants of `task` on a cluster, least accurate first; empty when none. */
  options(clusterIndex: number, task: string): readonly HostedVariant[] {
    return this.hosted[clusterIndex]?.get(task) ?? NONE;
  }

  /** Clusters and variants that can serve `task` at `minAccuracy`; computed once per pair, then cached. */
  feasibleFor(task: string, minAccuracy: number): FeasibleSet {
    let byFloor = this.feasible.get(task);
    if (!byFloor) {
      byFloor = new Map();
      this.feasible.set(task, byFloor);
    }
    let set = byFloor.get(minAccuracy);
    if (!set) {
      set = this.buildFeasible(task, minAccuracy);
      byFloor.set(minAccuracy, set);
    }
    return set;
  }

  /**
   * Expected network time of a query over the source-cluster link, both ways, without jitter:
   * `rtt + transfer(request) + transfer(reply)`. Request bytes: the app's payloadBytes, else one input tensor.
   */
  networkMs(sourceIndex: number, clusterIndex: number, app: string, task: string): number {
    return this.networkRow(sourceIndex, app, task)[clusterIndex] as number;
  }

  /**
   * `networkMs` from one source to every cluster (indexed by cluster), for an app and task: computed
   * once, then cached. The caller must not write to it.
   */
  networkRow(sourceIndex: number, app: string, task: string): Float64Array {
    let byTask = this.networkRows.get(app);
    if (!byTask) {
      byTask = new Map();
      this.networkRows.set(app, byTask);
    }
    let bySource = byTask.get(task);
    if (!bySource) {
      bySource = new Array<Float64Array | undefined>(this.scenario.sources.length);
      byTask.set(task, bySource);
    }
    let row = bySource[sourceIndex];
    if (!row) {
      const { request, reply } = this.messageBytes(app, task);
      row = new Float64Array(this.scenario.clusters.length);
      for (let c = 0; c < row.length; c++) {
        const link = this.scenario.linkAt(sourceIndex, c);
        row[c] = link.rttMs + transferMs(link, request) + transferMs(link, reply);
      }
      bySource[sourceIndex] = row;
    }
    return row;
  }

  /**
   * The nominal one-way jitter of the links from one source to every cluster (indexed by cluster),
   * ms: computed once, then cached. The caller must not write to it.
   */
  jitterRow(sourceIndex: number): Float64Array {
    let row = this.jitterRows[sourceIndex];
    if (!row) {
      const scenario = this.scenario;
      row = Float64Array.from(scenario.clusters, (_, c) => scenario.linkAt(sourceIndex, c).jitterMs);
      this.jitterRows[sourceIndex] = row;
    }
    return row;
  }

  /**
   * Per cluster: the mean nominal RTT to it over the sources, at least 1 ms (the scale of excess
   * delay in ASET's states): computed once, then cached. The caller must not write to it.
   */
  get nominalRttMs(): Float64Array {
    if (!this.nominalRtt) {
      const scenario = this.scenario;
      this.nominalRtt = Float64Array.from(scenario.clusters, (_, c) => {
        let sum = 0;
        for (let s = 0; s < scenario.sources.length; s++) sum += scenario.linkAt(s, c).rttMs;
        return Math.max(1, sum / scenario.sources.length);
      });
    }
    return this.nominalRtt;
  }

  /** Bytes on the wire of a query of `app` (running `task`) and of its reply: the app's payloadBytes, else one input tensor; its replyBytes, else 256. */
  messageBytes(app: string, task: string): { request: number; reply: number } {
    const spec = this.scenario.app(app);
    return { request: spec?.payloadBytes ?? this.inputBytes(task), reply: spec?.replyBytes ?? 256 };
  }

  private inputBytes(task: string): number {
    let bytes = this.taskBytes.get(task);
    if (bytes === undefined) {
      bytes = (this.zoo.task(task)?.inputShape.reduce((a, b) => a * b, 1) ?? 0) * 4;
      this.taskBytes.set(task, bytes);
    }
    return bytes;
  }

  private buildFeasible(task: string, minAccuracy: number): FeasibleSet {
    const clusters: number[] = [];
    const cheapest: HostedVariant[] = [];
    const options: { clusterIndex: number; hosted: HostedVariant }[] = [];
    const meetingAt: (readonly HostedVariant[])[] = [];
    const cheapestAt: (HostedVariant | undefined)[] = [];
    this.scenario.clusters.forEach((_, c) => {
      const best = this.cheapestMeeting(c, task, minAccuracy);
      cheapestAt.push(best);
      const meeting = this.options(c, task).filter((o) => o.accuracy >= minAccuracy);
      meetingAt.push(meeting.length > 0 ? Object.freeze(meeting) : NONE);
      if (!best) return;
      clusters.push(c);
      cheapest.push(best);
      for (const o of meeting) options.push({ clusterIndex: c, hosted: o });
    });
    options.sort((a, b) => b.hosted.accuracy - a.hosted.accuracy || a.hosted.cost - b.hosted.cost);
    return { clusters: Int32Array.from(clusters), cheapest, options, meetingAt, cheapestAt };
  }

  /** The cheapest variant of `task` on a cluster with accuracy >= minAccuracy, or undefined. */
  cheapestMeeting(clusterIndex: number, task: string, minAccuracy: number): HostedVariant | undefined {
    let best: HostedVariant | undefined;
    for (const o of this.options(clusterIndex, task)) {
      if (o.accuracy >= minAccuracy && (best === undefined || o.cost < best.cost)) best = o;
    }
    return best;
  }
}
