import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Clock } from '@aset/determinism';
import { MessageBus } from '@aset/messaging';
import { CLOCK } from '@aset/service-kit';
import { HostedModels } from './hosted.models.js';
import { InferenceEndpoint } from './inference.endpoint.js';
import type { WorkerEnv } from './worker.config.js';
import { RunTimeline } from './run.timeline.js';

/** Publishes this worker's slots, busy slots and queue length every HEARTBEAT_MS; none while the cluster is dark (an emulated outage). */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(HostedModels) private readonly models: HostedModels,
    @Inject(InferenceEndpoint) private readonly endpoint: InferenceEndpoint,
    @Inject(ConfigService) private readonly config: ConfigService<WorkerEnv, true>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RunTimeline) private readonly timeline: RunTimeline,
  ) {}

  onApplicationBootstrap(): void {
    const clusterId = this.models.cluster.id;
    const instanceId = this.config.get('INSTANCE_ID', { infer: true });
    const beat = () =>
      !this.timeline.dark &&
      this.bus.publish('clusterHeartbeat', { clusterId }, {
        schemaVersion: 1,
        clusterId,
        instanceId,
        sentAt: this.clock.now(),
        slots: this.endpoint.pool.slots,
        busySlots: this.endpoint.pool.busy,
        queueLength: this.endpoint.pool.waiting,
        processed: this.endpoint.processed,
      });
    // The period keeps its phase through an outage: back from one, the cluster is seen again at its
    // next regular heartbeat, as in the simulator.
    beat();
    this.timer = setInterval(beat, this.config.get('HEARTBEAT_MS', { infer: true }));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
