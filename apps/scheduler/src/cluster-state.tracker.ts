import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClusterHeartbeat } from '@aset/contracts';
import { MessageBus } from '@aset/messaging';
import { Scenario } from '@aset/scenario';
import type { ClusterState, Observation } from '@aset/scheduling';
import { CLOCK } from '@aset/service-kit';
import type { Clock } from '@aset/determinism';
import type { SchedulerEnv } from './scheduler.config.js';
import { SchedulerMetrics } from './scheduler.metrics.js';

/**
 * The scheduler's view of every cluster, from worker heartbeats. Several instances of a cluster
 * report separately; their states are summed, dated by the oldest of them (`reportedAt`, the
 * worker's send time, or the scheduler's receipt when that is earlier: a `sentAt` ahead of the
 * scheduler's clock counts as sent on receipt, so it can neither date a state in the future nor
 * keep it fresh forever). A heartbeat older than `staleAfterMs` no longer counts.
 *
 * Liveness (the rule of `@aset/scheduling`'s cluster.liveness, which the simulator follows too): a
 * cluster is alive while one of its instances was heard within the last LIVENESS_MISSED_HEARTBEATS
 * x HEARTBEAT_MS (by the scheduler's clock at receipt, so clock skew between hosts does not matter)
 * and no dispatch to it found no responder since ({@link markUnreachable}). Its next heartbeat
 * brings it back. Until a cluster is first heard, the window counts from the tracker's creation.
 * Each transition is logged once and moves the live-clusters gauge; transitions are detected on
 * every {@link observe} and at least once per heartbeat period.
 */
@Injectable()
export class ClusterStateTracker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClusterStateTracker.name);
  /** Per cluster: each instance's position in `beats`. */
  private readonly instances: Map<string, number>[];
  /** Per cluster: each instance's last heartbeat (an array, so that observe walks it without an iterator). */
  private readonly beats: ClusterHeartbeat[][];
  private readonly states: ClusterState[];
  private readonly observation: { now: number; readonly clusters: readonly ClusterState[] };
  /** Per cluster: when the scheduler last received one of its heartbeats (or its start). */
  private readonly lastHeard: Float64Array;
  /** Per cluster: 1 once heard at least once. */
  private readonly heard: Uint8Array;
  private live: number;
  private timer?: NodeJS.Timeout;
  readonly staleAfterMs = 3000;
  readonly heartbeatMs: number;
  /** No heartbeat for longer than this: the cluster is down. */
  readonly livenessWindowMs: number;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ConfigService) config: ConfigService<SchedulerEnv, true>,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
  ) {
    const n = scenario.clusters.length;
    this.instances = scenario.clusters.map(() => new Map());
    this.beats = scenario.clusters.map(() => []);
    this.states = scenario.clusters.map(() => ({ busySlots: 0, queueLength: 0, alive: true }));
    this.observation = { now: 0, clusters: this.states };
    this.heartbeatMs = config.get('HEARTBEAT_MS', { infer: true });
    this.livenessWindowMs = config.get('LIVENESS_MISSED_HEARTBEATS', { infer: true }) * this.heartbeatMs;
    this.lastHeard = new Float64Array(n).fill(clock.now());
    this.heard = new Uint8Array(n);
    this.live = n;
    metrics.liveClusters.set(n);
  }

  onApplicationBootstrap(): void {
    this.bus.subscribe('clusterHeartbeat', (hb) => this.record(hb));
    this.timer = setInterval(() => this.observe(), this.heartbeatMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  record(hb: ClusterHeartbeat): void {
    if (!this.scenario.hasCluster(hb.clusterId)) {
      this.bus.noteInvalid(this.bus.subject('clusterHeartbeat', { clusterId: hb.clusterId }), `cluster ${hb.clusterId} is not in scenario ${this.scenario.name}`);
      return;
    }
    const i = this.scenario.clusterIndex(hb.clusterId);
    const known = this.instances[i] as Map<string, number>;
    const beats = this.beats[i] as ClusterHeartbeat[];
    const k = known.get(hb.instanceId);
    const now = this.clock.now();
    const beat = hb.sentAt > now ? { ...hb, sentAt: now } : hb;
    if (k === undefined) {
      this.logger.log(`cluster ${hb.clusterId}: worker ${hb.instanceId} is up`);
      known.set(hb.instanceId, beats.length);
      beats.push(beat);
    } else {
      beats[k] = beat;
    }
    this.lastHeard[i] = now;
    this.heard[i] = 1;
    if (!(this.states[i] as ClusterState).alive) this.transition(i, true, '');
  }

  /**
   * A dispatch to `clusterId` found no responder (nothing subscribes to its infer subject): the
   * cluster is down from now until its next heartbeat. Unknown ids are ignored.
   */
  markUnreachable(clusterId: string, subject: string): void {
    if (!this.scenario.hasCluster(clusterId)) return;
    const i = this.scenario.clusterIndex(clusterId);
    if ((this.states[i] as ClusterState).alive) this.transition(i, false, `no responder on ${subject}`);
  }

  /** Clusters held alive now (as of the last observation or transition). */
  get liveClusters(): number {
    return this.live;
  }

  /**
   * The observation for a decision at `now`: load summed over fresh heartbeats, and liveness. The
   * same object is returned every time, refreshed in place (no allocation): use it before the next call.
   */
  observe(now = this.clock.now()): Observation {
    const window = this.livenessWindowMs;
    for (let i = 0; i < this.states.length; i++) {
      const s = this.states[i] as ClusterState;
      s.busySlots = 0;
      s.queueLength = 0;
      let reportedAt = Infinity;
      const beats = this.beats[i] as ClusterHeartbeat[];
      for (let k = 0; k < beats.length; k++) {
        const hb = beats[k] as ClusterHeartbeat;
        if (now - hb.sentAt > this.staleAfterMs) continue;
        s.busySlots += hb.busySlots;
        s.queueLength += hb.queueLength;
        if (hb.sentAt < reportedAt) reportedAt = hb.sentAt;
      }
      s.reportedAt = reportedAt === Infinity ? undefined : reportedAt;
      const silentMs = now - (this.lastHeard[i] as number);
      if (s.alive && silentMs > window) {
        this.transition(i, false, this.heard[i] === 1 ? `no heartbeat for ${Math.round(silentMs)} ms` : `no heartbeat in the ${Math.round(silentMs)} ms since the scheduler started`);
      }
    }
    this.observation.now = now;
    return this.observation;
  }

  private transition(i: number, alive: boolean, why: string): void {
    (this.states[i] as ClusterState).alive = alive;
    this.live += alive ? 1 : -1;
    this.metrics.liveClusters.set(this.live);
    const id = (this.scenario.clusters[i] as { id: string }).id;
    if (alive) this.logger.log(`cluster ${id} is up`);
    else this.logger.warn(`cluster ${id} is down: ${why}`);
  }
}
