import type { Clock } from '@aset/determinism';
import type { MessageBus } from '@aset/messaging';

/** How often a running run's clock is announced again, so that a worker (re)started mid-run joins it. */
export const RUN_CLOCK_PERIOD_MS = 1_000;

/**
 * Announces a run's scenario clock (`runClock`) while the run goes: once at once, then every
 * {@link RUN_CLOCK_PERIOD_MS}, then `finished` from {@link finish}. Workers play the scenario's
 * dynamics on it. Events are fire-and-forget: a worker that misses one hears the next. Each part of
 * a split run announces the run's one clock (the same `originAt`) with its `part`.
 */
export class RunClockAnnouncer {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly run: { runId: string; scenario: string; originAt: number; part?: { id: string; count: number } },
  ) {}

  start(): void {
    this.announce('running');
    this.timer = setInterval(() => this.announce('running'), RUN_CLOCK_PERIOD_MS);
    this.timer.unref();
  }

  /** Stops the announcements and tells the workers the run is over. Idempotent. */
  finish(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.announce('finished');
  }

  private announce(phase: 'running' | 'finished'): void {
    const { runId, scenario, originAt, part } = this.run;
    this.bus.publish('runClock', { runId }, { schemaVersion: 1, runId, scenario, originAt, phase, sentAt: this.clock.now(), ...(part ? { part: { id: part.id, count: part.count } } : {}) });
  }
}
