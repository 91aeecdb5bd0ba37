import type { ModelZoo, VariantSpec } from '@aset/model-zoo';
import type { Scenario } from '@aset/scenario';

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
}

/**
 * Precomputed placement options: per cluster and task, the variants it hosts, least accurate first.
 * Built once per (scenario, zoo); policies look options up without allocating.
 */
export class PlacementCatalog {
  private readonly hosted: Map<string, HostedVariant[]>[];

  constructor(
    readonly scenario: Scenario,
    readonly zoo: ModelZoo,
  ) {
    this.hosted = scenario.clusters.map((cluster) => {
      const speed = scenario.hardwareOf(cluster).speedFactor;
      const byTask = new Map<string, HostedVariant[]>();
      for (const id of cluster.variants) {
        const variant = zoo.requireVariant(id);
        const baseMs = zoo.processingMs(variant) ?? 0;
        const list = byTask.get(variant.task) ?? [];
        list.push({ variant, accuracy: variant.accuracy, baseMs, processingMs: baseMs * speed, cost: zoo.cost(variant) });
        byTask.set(variant.task, list);
      }
      for (const list of byTask.values()) list.sort((a, b) => a.accuracy - b.accuracy || a.cost - b.cost);
      return byTask;
    });
  }

  /** Variants of `task` on a cluster, least accurate first; empty when none. */
  options(clusterIndex: number, task: string): readonly HostedVariant[] {
    return this.hosted[clusterIndex]?.get(task) ?? [];
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
