import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Clock } from '@aset/determinism';
import { MessageBus } from '@aset/messaging';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario, type ClusterSpec } from '@aset/scenario';
import { CLOCK } from '@aset/service-kit';
import { ClusterEmulator, type EmulationSettings } from './cluster.emulator.js';
import type { ClusterTimeline } from './cluster.timeline.js';
import { HostedModels } from './hosted.models.js';
import { InferenceEndpoint } from './inference.endpoint.js';
import { RunTimeline } from './run.timeline.js';
import type { WorkerConfig } from './worker.config.js';

/**
 * One cluster this worker hosts, with what is its own: its part in the scenario's dynamics, its
 * emulated hardware and links (and overruns), and its endpoint (slots, subscription, processed and
 * lost queries). Only the ONNX sessions are shared with the other hosted clusters.
 */
export interface HostedCluster {
  readonly spec: ClusterSpec;
  readonly timeline: ClusterTimeline;
  readonly emulator: ClusterEmulator;
  readonly endpoint: InferenceEndpoint;
}

/** The clusters this worker hosts, in the order CLUSTER_ID / CLUSTER_IDS gives them; each serves from bootstrap on. */
@Injectable()
export class HostedClusters implements OnApplicationBootstrap {
  private readonly logger = new Logger(HostedClusters.name);
  readonly all: readonly HostedCluster[];

  constructor(
    @Inject(ConfigService) config: ConfigService<WorkerConfig, true>,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) scenario: Scenario,
    @Inject(ModelZoo) zoo: ModelZoo,
    @Inject(CLOCK) clock: Clock,
    @Inject(HostedModels) models: HostedModels,
    @Inject(RunTimeline) runTimeline: RunTimeline,
  ) {
    const settings: EmulationSettings = {
      network: config.get('EMULATE_NETWORK', { infer: true }),
      hardware: config.get('EMULATE_HARDWARE', { infer: true }),
      seed: config.get('EMULATION_SEED', { infer: true }),
    };
    this.all = models.clusters.map((spec) => {
      const timeline = runTimeline.of(spec.id);
      const emulator = new ClusterEmulator(settings, scenario.hardwareOf(spec).speedFactor, timeline, scenario, zoo, clock);
      const endpoint = new InferenceEndpoint(spec, models.runnersOf(spec), emulator, timeline, bus, scenario, clock);
      return { spec, timeline, emulator, endpoint };
    });
  }

  /** Resolves once the server knows every cluster's subscription, so a worker that is up can be reached at once. */
  async onApplicationBootstrap(): Promise<void> {
    for (const c of this.all) c.endpoint.start();
    await this.bus.flush();
    const subjects = this.all.map((c) => this.bus.subject('clusterInfer', { clusterId: c.spec.id }));
    this.logger.log(`serving ${subjects.join(', ')}`);
  }
}
