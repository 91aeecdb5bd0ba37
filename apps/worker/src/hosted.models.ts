import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InferenceThreads, OnnxModelRunner } from '@aset/inference';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario, type ClusterSpec } from '@aset/scenario';
import { ConfigurationError } from '@aset/service-kit';
import { usableCores } from './cpu-quota.reader.js';
import { planInferenceThreads } from './inference-threads.plan.js';
import type { WorkerConfig } from './worker.config.js';

/**
 * The clusters this worker hosts (CLUSTER_ID or CLUSTER_IDS, checked against the scenario) and the
 * ONNX sessions of the variants they host, loaded and checked at start: one runner per variant,
 * shared by every hosted cluster that hosts it. A session runs on the worker's event loop, or on
 * inference threads (each holds every threaded variant), where batches neither block the worker's
 * messaging nor wait for each other while a thread is free: a cluster's slots then run in parallel,
 * at the cost of a thread hand-off per batch (docs/performance.md: a gain for larger models, a loss
 * for the tiniest). INFERENCE_THREAD_POOL decides which run where ({@link planInferenceThreads}).
 */
@Injectable()
export class HostedModels implements OnApplicationShutdown {
  private readonly logger = new Logger(HostedModels.name);

  private constructor(
    readonly clusters: readonly ClusterSpec[],
    private readonly runners: ReadonlyMap<string, OnnxModelRunner>,
    private readonly pool: InferenceThreads | undefined,
    /** Where the sessions run, in one line (INFERENCE_THREAD_POOL's outcome); /health shows it. */
    readonly placement: string,
  ) {}

  /** Fails with a message naming CLUSTER_ID or CLUSTER_IDS and the unknown ids, the scenario file or the bad manifest entry. */
  static async load(config: ConfigService<WorkerConfig, true>, scenario: Scenario, zoo: ModelZoo): Promise<HostedModels> {
    const { variable, ids } = config.get('hostedClusters', { infer: true });
    const unknown = ids.filter((id) => !scenario.hasCluster(id));
    if (unknown.length > 0) {
      throw new ConfigurationError(
        `${variable} ${unknown.map((id) => `"${id}"`).join(', ')} ${unknown.length === 1 ? 'is not a cluster' : 'are not clusters'} of scenario ${scenario.name} (${scenario.origin}); clusters: ${scenario.clusters.map((c) => c.id).join(', ')}`,
      );
    }
    const clusters = ids.map((id) => scenario.cluster(id));
    const threads = config.get('INFERENCE_THREADS', { infer: true });
    const plan = planInferenceThreads(config.get('INFERENCE_THREAD_POOL', { infer: true }), clusters, zoo, usableCores());
    const pool = plan.size > 0 ? InferenceThreads.start(plan.size) : undefined;
    const runners = new Map<string, OnnxModelRunner>();
    try {
      for (const cluster of clusters) {
        for (const id of cluster.variants) {
          if (!runners.has(id)) runners.set(id, await OnnxModelRunner.load(zoo, zoo.requireVariant(id), { threads, pool: plan.threaded.has(id) ? pool : undefined }));
        }
      }
    } catch (e) {
      await pool?.close();
      throw e;
    }
    const models = new HostedModels(clusters, runners, pool, plan.summary);
    for (const c of clusters) models.logger.log(`cluster ${c.id}: ${c.slots} slot(s), hardware ${c.hardware}, variants ${c.variants.join(', ')}`);
    models.logger.log(`${runners.size} ONNX model(s) shared by ${clusters.length} hosted cluster(s): ${plan.summary}`);
    return models;
  }

  /** The sessions of the variants `cluster` (a hosted cluster) hosts, by variant id. */
  runnersOf(cluster: ClusterSpec): ReadonlyMap<string, OnnxModelRunner> {
    return new Map(
      cluster.variants.map((id) => {
        const runner = this.runners.get(id);
        if (!runner) throw new Error(`cluster ${cluster.id} is not hosted by this worker: no session of its variant ${id}`);
        return [id, runner];
      }),
    );
  }

  /** Every variant loaded, whichever hosted cluster hosts it. */
  get variantIds(): string[] {
    return [...this.runners.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    for (const r of this.runners.values()) await r.release();
    await this.pool?.close();
  }
}
