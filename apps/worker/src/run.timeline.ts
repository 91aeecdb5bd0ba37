import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { RunClock } from '@aset/contracts';
import type { Clock } from '@aset/determinism';
import { MessageBus, type BusSubscription } from '@aset/messaging';
import { Scenario } from '@aset/scenario';
import { CLOCK } from '@aset/service-kit';
import { HostedModels } from './hosted.models.js';
import type { WorkerEnv } from './worker.config.js';

/** What goes dark and comes back with the cluster: the endpoint stops serving, heartbeats stop. */
export interface OutageListener {
  onDark(): void;
  onBack(): void;
}

/**
 * The scenario time of the run under way and this cluster's part in the scenario's `dynamics`, played
 * live (EMULATE_DYNAMICS) on the run clock the workload generator announces (`runClock`):
 * - `linkAt` / `processingFactorAt` give the link and the slowdown at a scenario time, as the
 *   simulator's `linkAtTime` and `processingFactor` do;
 * - during an outage window of this cluster the cluster is dark: listeners stop serving (a dispatch
 *   finds no responder) and heartbeating, and every query that was there is lost (never answered;
 *   its sender times it out), as in the simulator.
 * The latest run announced wins; a `finished` clock ends its dynamics (an outage under way ends).
 * Without a run under way, links are the scenario's nominal ones and the cluster is up.
 */
@Injectable()
export class RunTimeline implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunTimeline.name);
  readonly enabled: boolean;
  private readonly clusterIndex: number;
  private run?: { runId: string; originAt: number };
  private timers: NodeJS.Timeout[] = [];
  private subscription?: BusSubscription;
  private readonly listeners: OutageListener[] = [];
  private foreignScenarioWarned = false;
  /** True while this cluster is in an outage window of the run under way. */
  dark = false;
  /**
   * Counts the outages begun so far: a query that arrived when it was `n` is lost if, by the time
   * it would be answered, it is no longer `n` or the cluster is dark.
   */
  outages = 0;

  constructor(
    @Inject(ConfigService) config: ConfigService<WorkerEnv, true>,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(HostedModels) models: HostedModels,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.enabled = config.get('EMULATE_DYNAMICS', { infer: true });
    this.clusterIndex = scenario.clusterIndex(models.cluster.id);
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || !this.scenario.hasDynamics) return;
    this.subscription = this.bus.subscribe('runClock', (clock) => this.heard(clock));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    this.clearTimers();
  }

  /** Registers what must stop while the cluster is dark (the endpoint, the heartbeats). */
  listen(listener: OutageListener): void {
    this.listeners.push(listener);
  }

  /** Scenario time (ms since the run's origin) at clock time `atMs`, or undefined without a run under way. */
  scenarioTimeAt(atMs: number): number | undefined {
    return this.run ? atMs - this.run.originAt : undefined;
  }

  /** The link from `sourceIndex` to this cluster for a query dispatched at clock time `atMs`. */
  linkAt(sourceIndex: number, atMs: number) {
    const t = this.scenarioTimeAt(atMs);
    return t === undefined ? this.scenario.linkAt(sourceIndex, this.clusterIndex) : this.scenario.linkAtTime(sourceIndex, this.clusterIndex, t);
  }

  /** The slowdown factor (>= 1) for a query starting at clock time `atMs`. */
  processingFactorAt(atMs: number): number {
    const t = this.scenarioTimeAt(atMs);
    return t === undefined ? 1 : this.scenario.processingFactor(this.clusterIndex, t);
  }

  /** True when a query that arrived during outage count `arrivedIn` is lost by now. */
  lostSince(arrivedIn: number): boolean {
    return this.dark || this.outages !== arrivedIn;
  }

  private heard(clock: RunClock): void {
    if (clock.scenario !== this.scenario.name) {
      if (!this.foreignScenarioWarned) this.logger.warn(`run ${clock.runId} plays scenario ${clock.scenario}, this worker ${this.scenario.name}: its clock is ignored`);
      this.foreignScenarioWarned = true;
      return;
    }
    if (clock.phase === 'finished') {
      if (this.run?.runId === clock.runId) this.end(`run ${clock.runId} finished`);
      return;
    }
    if (this.run?.runId === clock.runId && this.run.originAt === clock.originAt) return;
    this.end(`run ${clock.runId} started`);
    this.run = { runId: clock.runId, originAt: clock.originAt };
    this.schedule();
  }

  /** Sets timers for this cluster's outage windows of the run under way; a window already begun starts now. */
  private schedule(): void {
    const run = this.run;
    if (!run) return;
    const now = this.clock.now();
    for (const w of this.scenario.outageWindows(this.clusterIndex)) {
      const from = run.originAt + w.fromMs;
      const to = run.originAt + w.toMs;
      if (to <= now) continue;
      this.timers.push(setTimeout(() => this.goDark(run.runId), Math.max(0, from - now)));
      this.timers.push(setTimeout(() => this.comeBack(`outage of run ${run.runId} over`), to - now));
    }
  }

  private goDark(runId: string): void {
    if (this.dark) return;
    this.dark = true;
    this.outages++;
    this.logger.warn(`cluster ${this.scenario.clusters[this.clusterIndex]?.id} goes dark (outage of run ${runId}): no answers, no heartbeats; queries here are lost`);
    for (const l of this.listeners) l.onDark();
  }

  private comeBack(why: string): void {
    if (!this.dark) return;
    this.dark = false;
    this.logger.log(`cluster ${this.scenario.clusters[this.clusterIndex]?.id} is back (${why})`);
    for (const l of this.listeners) l.onBack();
  }

  /** Ends the dynamics of the run under way. */
  private end(why: string): void {
    this.clearTimers();
    this.comeBack(why);
    this.run = undefined;
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}
