import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { RunClock } from '@aset/contracts';
import type { Clock } from '@aset/determinism';
import { MessageBus, type BusSubscription } from '@aset/messaging';
import { Scenario } from '@aset/scenario';
import { CLOCK } from '@aset/service-kit';
import { ClusterTimeline, type RunUnderWay } from './cluster.timeline.js';
import { HostedModels } from './hosted.models.js';
import type { WorkerConfig } from './worker.config.js';

/**
 * The scenario time of the run under way, heard (EMULATE_DYNAMICS) on the run clock the workload
 * generator announces (`runClock`, one subscription per process), played on each hosted cluster's
 * {@link ClusterTimeline}: its part in the scenario's `dynamics`.
 * The latest run announced wins; a `finished` clock ends its dynamics (an outage under way ends).
 * A run split over several generators (`part` of the clock) ends once every part has announced `finished`.
 */
@Injectable()
export class RunTimeline implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunTimeline.name);
  private readonly enabled: boolean;
  private readonly timelines: ReadonlyMap<string, ClusterTimeline>;
  private run?: RunUnderWay;
  /** Parts of the run under way that have announced `finished`. */
  private finishedParts = new Set<string>();
  private subscription?: BusSubscription;
  private foreignScenarioWarned = false;

  constructor(
    @Inject(ConfigService) config: ConfigService<WorkerConfig, true>,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(HostedModels) models: HostedModels,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.enabled = config.get('EMULATE_DYNAMICS', { infer: true });
    this.timelines = new Map(models.clusters.map((c) => [c.id, new ClusterTimeline(c.id, scenario)]));
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || !this.scenario.hasDynamics) return;
    this.subscription = this.bus.subscribe('runClock', (clock) => this.heard(clock));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    for (const t of this.timelines.values()) t.stop();
  }

  /** The timeline of hosted cluster `clusterId`. */
  of(clusterId: string): ClusterTimeline {
    const timeline = this.timelines.get(clusterId);
    if (!timeline) throw new Error(`cluster ${clusterId} is not hosted by this worker`);
    return timeline;
  }

  private heard(clock: RunClock): void {
    if (clock.scenario !== this.scenario.name) {
      if (!this.foreignScenarioWarned) this.logger.warn(`run ${clock.runId} plays scenario ${clock.scenario}, this worker ${this.scenario.name}: its clock is ignored`);
      this.foreignScenarioWarned = true;
      return;
    }
    if (clock.phase === 'finished') {
      if (this.run?.runId !== clock.runId) return;
      if (clock.part) this.finishedParts.add(clock.part.id);
      if (!clock.part || this.finishedParts.size >= clock.part.count) this.end(`run ${clock.runId} finished`);
      return;
    }
    if (this.run?.runId === clock.runId && this.run.originAt === clock.originAt) return;
    this.end(`run ${clock.runId} started`);
    const run = { runId: clock.runId, originAt: clock.originAt };
    this.run = run;
    const now = this.clock.now();
    for (const t of this.timelines.values()) t.play(run, now);
  }

  /** Ends the dynamics of the run under way on every hosted cluster. */
  private end(why: string): void {
    for (const t of this.timelines.values()) t.end(why);
    this.run = undefined;
    this.finishedParts = new Set();
  }
}
