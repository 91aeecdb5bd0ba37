import { Logger } from '@nestjs/common';
import { setChainedTimeout, type ChainedTimeout } from '@aset/determinism';
import type { Scenario } from '@aset/scenario';

/** What goes dark and comes back with a cluster: its endpoint stops serving. */
export interface OutageListener {
  onDark(): void;
  onBack(): void;
}

/** A run under way: its id, and the clock time its scenario time 0 falls on (ms). */
export interface RunUnderWay {
  readonly runId: string;
  readonly originAt: number;
}

/**
 * One hosted cluster's part in the scenario's `dynamics` for the run under way, which the
 * {@link RunTimeline} hands it (`play`, `end`):
 * - `linkAt` / `processingFactorAt` give the link and the slowdown at a clock time, as the
 *   simulator's `linkAtTime` and `processingFactor` do at a scenario time;
 * - during an outage window of this cluster the cluster is dark: listeners stop serving (a dispatch
 *   finds no responder), heartbeats skip it, and every query that was there is lost (never
 *   answered; its sender times it out), as in the simulator.
 * Without a run under way, links are the scenario's nominal ones and the cluster is up.
 */
export class ClusterTimeline {
  private static readonly logger = new Logger(ClusterTimeline.name);
  private readonly clusterIndex: number;
  private run?: RunUnderWay;
  private timers: ChainedTimeout[] = [];
  private readonly listeners: OutageListener[] = [];
  /** True while this cluster is in an outage window of the run under way. */
  dark = false;
  /**
   * Counts the outages begun so far: a query that arrived when it was `n` is lost if, by the time
   * it would be answered, it is no longer `n` or the cluster is dark.
   */
  outages = 0;

  constructor(
    readonly clusterId: string,
    private readonly scenario: Scenario,
  ) {
    this.clusterIndex = scenario.clusterIndex(clusterId);
  }

  /** Registers what must stop while the cluster is dark. */
  listen(listener: OutageListener): void {
    this.listeners.push(listener);
  }

  /** The link from `sourceIndex` to this cluster for a query dispatched at clock time `atMs`. */
  linkAt(sourceIndex: number, atMs: number) {
    const run = this.run;
    return run ? this.scenario.linkAtTime(sourceIndex, this.clusterIndex, atMs - run.originAt) : this.scenario.linkAt(sourceIndex, this.clusterIndex);
  }

  /** The slowdown factor (>= 1) for a query starting at clock time `atMs`. */
  processingFactorAt(atMs: number): number {
    const run = this.run;
    return run ? this.scenario.processingFactor(this.clusterIndex, atMs - run.originAt) : 1;
  }

  /** True when a query that arrived during outage count `arrivedIn` is lost by now. */
  lostSince(arrivedIn: number): boolean {
    return this.dark || this.outages !== arrivedIn;
  }

  /**
   * Plays `run` from clock time `now` (after `end` of the run before): a timer per edge of this
   * cluster's outage windows still to come, however far ahead (an origin days away included); a
   * window already begun darkens the cluster at once.
   */
  play(run: RunUnderWay, now: number): void {
    this.run = run;
    for (const w of this.scenario.outageWindows(this.clusterIndex)) {
      const from = run.originAt + w.fromMs;
      const to = run.originAt + w.toMs;
      if (to <= now) continue;
      this.timers.push(setChainedTimeout(() => this.goDark(run.runId), from - now));
      this.timers.push(setChainedTimeout(() => this.comeBack(`outage of run ${run.runId} over`), to - now));
    }
  }

  /** Ends the dynamics of the run under way: an outage under way ends, links are nominal again. */
  end(why: string): void {
    this.stop();
    this.comeBack(why);
    this.run = undefined;
  }

  /** Cancels what is scheduled, without coming back (at shutdown). */
  stop(): void {
    for (const t of this.timers) t.clear();
    this.timers = [];
  }

  private goDark(runId: string): void {
    if (this.dark) return;
    this.dark = true;
    this.outages++;
    ClusterTimeline.logger.warn(`cluster ${this.clusterId} goes dark (outage of run ${runId}): no answers, no heartbeats; queries here are lost`);
    for (const l of this.listeners) l.onDark();
  }

  private comeBack(why: string): void {
    if (!this.dark) return;
    this.dark = false;
    ClusterTimeline.logger.log(`cluster ${this.clusterId} is back (${why})`);
    for (const l of this.listeners) l.onBack();
  }
}
