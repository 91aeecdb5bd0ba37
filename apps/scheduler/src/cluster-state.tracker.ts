import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { ClusterHeartbeat } from '@aset/contracts';
import { MessageBus } from '@aset/messaging';
import { Scenario } from '@aset/scenario';
import type { ClusterState, Observation } from '@aset/scheduling';
import { CLOCK } from '@aset/service-kit';
import type { Clock } from '@aset/determinism';

/**
 * The scheduler's view of every cluster, from worker heartbeats. Several instances of a cluster
 * report separately; their states are summed. A heartbeat older than `staleAfterMs` no longer counts.
 */
@Injectable()
export class ClusterStateTracker implements OnApplicationBootstrap {
  private readonly logger = new Logger(ClusterStateTracker.name);
  private readonly instances: Map<string, ClusterHeartbeat>[];
  private readonly states: ClusterState[];
  readonly staleAfterMs = 3000;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.instances = scenario.clusters.map(() => new Map());
    this.states = scenario.clusters.map(() => ({ busySlots: 0, queueLength: 0, alive: true }));
  }

  onApplicationBootstrap(): void {
    this.bus.onEvent('clusterHeartbeat', this.bus.subjects.wildcard('clusterHeartbeat'), (hb) => this.record(hb));
  }

  record(hb: ClusterHeartbeat): void {
    if (!this.scenario.hasCluster(hb.clusterId)) {
      this.bus.noteInvalid(this.bus.subject('clusterHeartbeat', { clusterId: hb.clusterId }), `cluster ${hb.clusterId} is not in scenario ${this.scenario.name}`);
      return;
    }
    const i = this.scenario.clusterIndex(hb.clusterId);
    const known = this.instances[i] as Map<string, ClusterHeartbeat>;
    if (!known.has(hb.instanceId)) this.logger.log(`cluster ${hb.clusterId}: worker ${hb.instanceId} is up`);
    known.set(hb.instanceId, hb);
  }

  /** A fresh observation for a decision at `now`. */
  observe(now = this.clock.now()): Observation {
    this.instances.forEach((known, i) => {
      const s = this.states[i] as ClusterState;
      s.busySlots = 0;
      s.queueLength = 0;
      for (const hb of known.values()) {
        if (now - hb.sentAt > this.staleAfterMs) continue;
        s.busySlots += hb.busySlots;
        s.queueLength += hb.queueLength;
      }
    });
    return { now, clusters: this.states };
  }
}
