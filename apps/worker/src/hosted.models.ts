import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnnxModelRunner } from '@aset/inference';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario, type ClusterSpec } from '@aset/scenario';
import { ConfigurationError } from '@aset/service-kit';
import type { WorkerEnv } from './worker.config.js';

/** This worker's cluster and the ONNX sessions of the variants it hosts, loaded and checked at start. */
@Injectable()
export class HostedModels implements OnApplicationShutdown {
  private readonly logger = new Logger(HostedModels.name);

  private constructor(
    readonly cluster: ClusterSpec,
    readonly speedFactor: number,
    private readonly runners: ReadonlyMap<string, OnnxModelRunner>,
  ) {}

  /** Fails with a message naming CLUSTER_ID, the scenario file or the bad manifest entry. */
  static async load(config: ConfigService<WorkerEnv, true>, scenario: Scenario, zoo: ModelZoo): Promise<HostedModels> {
    const clusterId = config.get('CLUSTER_ID', { infer: true });
    if (!scenario.hasCluster(clusterId)) {
      throw new ConfigurationError(
        `CLUSTER_ID "${clusterId}" is not a cluster of scenario ${scenario.name} (${scenario.origin}); clusters: ${scenario.clusters.map((c) => c.id).join(', ')}`,
      );
    }
    const cluster = scenario.cluster(clusterId);
    const threads = config.get('INFERENCE_THREADS', { infer: true });
    const runners = new Map<string, OnnxModelRunner>();
    for (const id of cluster.variants) runners.set(id, await OnnxModelRunner.load(zoo, zoo.requireVariant(id), { threads }));
    const models = new HostedModels(cluster, scenario.hardwareOf(cluster).speedFactor, runners);
    models.logger.log(`cluster ${clusterId}: ${cluster.slots} slot(s), hardware ${cluster.hardware}, variants ${cluster.variants.join(', ')}`);
    return models;
  }

  runner(variantId: string): OnnxModelRunner | undefined {
    return this.runners.get(variantId);
  }

  get variantIds(): string[] {
    return [...this.runners.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    for (const r of this.runners.values()) await r.release();
  }
}
