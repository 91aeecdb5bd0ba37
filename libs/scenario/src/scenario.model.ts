import { DYNAMIC_EFFECTS, type DynamicEffect } from './dynamic.effects.js';
import type { ApplicationSpec, ClusterSpec, DynamicEvent, HardwareClass, LinkSpec, ScenarioSpec, SourceSpec } from './scenario.schema.js';

/** A time window, in ms from the run start. */
interface Window {
  fromMs: number;
  toMs: number;
}

/** An event's change to the links into one cluster, from `sources` (all when undefined). */
interface LinkChange {
  window: Window;
  sources: Set<number> | undefined;
  apply: (link: LinkSpec) => LinkSpec;
}

/** An event's factor on processing times on one cluster. */
interface ProcessingFactor {
  window: Window;
  factor: number;
}

/**
 * A validated scenario with the indexes schedulers and the simulator need: clusters and sources by
 * id and by dense index, the (source, cluster) link matrix, and clusters ordered by RTT per source.
 * Immutable. Build it with `parseScenario` / `readScenarioFile`, which check every cross-reference.
 */
export class Scenario {
  readonly clusters: readonly ClusterSpec[];
  readonly sources: readonly SourceSpec[];
  readonly applications: readonly ApplicationSpec[];
  private readonly clusterIdx = new Map<string, number>();
  private readonly sourceIdx = new Map<string, number>();
  private readonly appById = new Map<string, ApplicationSpec>();
  /** links[sourceIndex * clusterCount + clusterIndex] */
  private readonly linkMatrix: LinkSpec[];
  /** Per source index: cluster indices, nearest (lowest RTT) first; ties by declaration order. */
  private readonly proximity: number[][];
  /** Per cluster index: the windows in which it is dark. */
  private readonly outages: Window[][];
  /** Per cluster index: the events that may change its links. */
  private readonly linkChanges: LinkChange[][];
  /** Per cluster index: the events that slow its processing, with their factors. */
  private readonly processingFactors: ProcessingFactor[][];
  /** True when any dynamic event exists (lets hot paths skip all checks). */
  readonly hasDynamics: boolean;

  constructor(
    readonly spec: ScenarioSpec,
    /** Where the scenario came from (file path or a label), for messages. */
    readonly origin: string,
    /** Replayed traces by index into `workload.arrivals`: arrival offsets in ms, non-decreasing. */
    readonly traces: ReadonlyMap<number, Float64Array> = new Map(),
  ) {
    this.clusters = spec.clusters;
    this.sources = spec.sources;
    this.applications = spec.applications;
    spec.clusters.forEach((c, i) => this.clusterIdx.set(c.id, i));
    spec.sources.forEach((s, i) => this.sourceIdx.set(s.id, i));
    spec.applications.forEach((a) => this.appById.set(a.id, a));
    this.linkMatrix = new Array<LinkSpec>(spec.sources.length * spec.clusters.length);
    const m = spec.linkMatrix;
    if (m) {
      spec.sources.forEach((source, s) =>
        spec.clusters.forEach((cluster, c) => {
          this.linkMatrix[s * spec.clusters.length + c] = {
            source: source.id,
            cluster: cluster.id,
            rttMs: m.rttMs[s]?.[c] as number,
            bandwidthMbps: m.bandwidthMbps[s]?.[c] as number,
            jitterMs: m.jitterMs[s]?.[c] as number,
          };
        }),
      );
    }
    for (const l of spec.links) {
      this.linkMatrix[this.sourceIndex(l.source) * spec.clusters.length + this.clusterIndex(l.cluster)] = l;
    }
    this.outages = spec.clusters.map(() => []);
    this.linkChanges = spec.clusters.map(() => []);
    this.processingFactors = spec.clusters.map(() => []);
    for (const event of spec.dynamics) {
      const window = { fromMs: event.startSec * 1000, toMs: (event.startSec + event.durationSec) * 1000 };
      const targets = spec.clusters.flatMap((c, i) => ((event.clusters?.includes(c.id) ?? false) || (event.tiers?.includes(c.tier) ?? false) ? [i] : []));
      const effect = DYNAMIC_EFFECTS[event.kind] as DynamicEffect<DynamicEvent>;
      const sources = 'sources' in event && event.sources ? new Set(event.sources.map((id) => this.sourceIndex(id))) : undefined;
      const link = effect.link;
      const factor = effect.processingFactor?.(event);
      for (const c of targets) {
        if (effect.down) (this.outages[c] as Window[]).push(window);
        if (link) (this.linkChanges[c] as LinkChange[]).push({ window, sources, apply: (l) => link(l, event) });
        if (factor !== undefined) (this.processingFactors[c] as ProcessingFactor[]).push({ window, factor });
      }
    }
    this.hasDynamics = spec.dynamics.length > 0;
    this.proximity = spec.sources.map((_, s) =>
      spec.clusters.map((_, c) => c).sort((a, b) => this.linkAt(s, a).rttMs - this.linkAt(s, b).rttMs || a - b),
    );
  }

  get name(): string {
    return this.spec.name;
  }

  clusterIndex(id: string): number {
    const i = this.clusterIdx.get(id);
    if (i === undefined) throw new Error(`${this.origin}: unknown cluster "${id}"`);
    return i;
  }

  sourceIndex(id: string): number {
    const i = this.sourceIdx.get(id);
    if (i === undefined) throw new Error(`${this.origin}: unknown source "${id}"`);
    return i;
  }

  hasCluster(id: string): boolean {
    return this.clusterIdx.has(id);
  }

  hasSource(id: string): boolean {
    return this.sourceIdx.has(id);
  }

  cluster(id: string): ClusterSpec {
    return this.spec.clusters[this.clusterIndex(id)] as ClusterSpec;
  }

  app(id: string): ApplicationSpec | undefined {
    return this.appById.get(id);
  }

  hardwareOf(cluster: ClusterSpec): HardwareClass {
    return this.spec.hardwareClasses[cluster.hardware] as HardwareClass;
  }

  /** The link by dense indices. Both indices must be in range. */
  linkAt(sourceIndex: number, clusterIndex: number): LinkSpec {
    return this.linkMatrix[sourceIndex * this.spec.clusters.length + clusterIndex] as LinkSpec;
  }

  link(sourceId: string, clusterId: string): LinkSpec {
    return this.linkAt(this.sourceIndex(sourceId), this.clusterIndex(clusterId));
  }

  /** The link as it is `atMs` after the run start, with every active event's change applied in declaration order. */
  linkAtTime(sourceIndex: number, clusterIndex: number, atMs: number): LinkSpec {
    const base = this.linkAt(sourceIndex, clusterIndex);
    if (!this.hasDynamics) return base;
    let link = base;
    for (const d of this.linkChanges[clusterIndex] as LinkChange[]) {
      if (atMs < d.window.fromMs || atMs >= d.window.toMs || (d.sources && !d.sources.has(sourceIndex))) continue;
      link = d.apply(link);
    }
    return link;
  }

  /** The factor on processing times of queries starting on the cluster `atMs` after the run start: the product of active slowdowns, 1 without. */
  processingFactor(clusterIndex: number, atMs: number): number {
    if (!this.hasDynamics) return 1;
    let factor = 1;
    for (const p of this.processingFactors[clusterIndex] as ProcessingFactor[]) if (atMs >= p.window.fromMs && atMs < p.window.toMs) factor *= p.factor;
    return factor;
  }

  /** True when the cluster is in an outage `atMs` after the run start. */
  isDown(clusterIndex: number, atMs: number): boolean {
    if (!this.hasDynamics) return false;
    for (const w of this.outages[clusterIndex] as Window[]) if (atMs >= w.fromMs && atMs < w.toMs) return true;
    return false;
  }

  /** A cluster's outage windows, ms from the run start (`[fromMs, toMs)`), in declaration order. */
  outageWindows(clusterIndex: number): readonly { readonly fromMs: number; readonly toMs: number }[] {
    return this.outages[clusterIndex] as Window[];
  }

  /** Cluster indices nearest first, for a source index. */
  clustersByProximity(sourceIndex: number): readonly number[] {
    return this.proximity[sourceIndex] as number[];
  }
}
