import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Clock } from '@aset/determinism';
import { MessageBus } from '@aset/messaging';
import { CLOCK } from '@aset/service-kit';
import { HostedClusters } from './hosted.clusters.js';
import type { WorkerConfig } from './worker.config.js';

/**
 * Publishes each hosted cluster's heartbeat (its slots, busy slots, queue length and processed
 * queries) every HEARTBEAT_MS, one message per cluster, from one ticker for all of them; none for a
 * cluster while it is dark (an emulated outage).
 */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(HostedClusters) private readonly clusters: HostedClusters,
    @Inject(ConfigService) private readonly config: ConfigService<WorkerConfig, true>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const instanceId = this.config.get('INSTANCE_ID', { infer: true });
    const beat = () => {
      for (const { spec, timeline, endpoint } of this.clusters.all) {
        if (timeline.dark) continue;
        this.bus.publish('clusterHeartbeat', { clusterId: spec.id }, {
          schemaVersion: 1,
          clusterId: spec.id,
          instanceId,
          sentAt: this.clock.now(),
          slots: endpoint.cluster.slots,
          busySlots: endpoint.server.queue.busy,
          queueLength: endpoint.server.queue.waiting,
          processed: endpoint.processed,
        });
      }
    };
    // Every cluster's period keeps its phase through an outage: back from one, the cluster is seen
    // again at its next regular heartbeat, as in the simulator.
    beat();
    this.timer = setInterval(beat, this.config.get('HEARTBEAT_MS', { infer: true }));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
