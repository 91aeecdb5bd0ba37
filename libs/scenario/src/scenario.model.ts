import type { ApplicationSpec, ClusterSpec, HardwareClass, LinkSpec, ScenarioSpec, SourceSpec } from './scenario.schema.js';

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

  /** Cluster indices nearest first, for a source index. */
  clustersByProximity(sourceIndex: number): readonly number[] {
    return this.proximity[sourceIndex] as number[];
  }
}
