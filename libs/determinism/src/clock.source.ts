import { MAX_TIMER_DELAY_MS, setChainedTimeout } from './chained.timer.js';

/** Dependency-injection token under which a service provides its {@link Clock}. */
export const CLOCK = Symbol('CLOCK');

/** Time source, in milliseconds since the Unix epoch (fractional). Inject it; never read time directly. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/**
 * Wall-clock time with sub-millisecond resolution, monotonic within the process. Processes on one
 * host agree to well under a millisecond (`performance.timeOrigin` is read at high resolution);
 * across hosts, agreement is as good as their clock synchronisation (NTP/PTP).
 */
export class SystemClock implements Clock {
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  /**
   * Node's timers have a resolution of 1 ms and drop the fraction of a delay; rounding to the
   * nearest millisecond makes the error about +-0.5 ms and unbiased, which is what emulated delays need.
   * A delay beyond Node's longest timer (about 24.8 days) is waited in full, not cut to 1 ms.
   */
  sleep(ms: number): Promise<void> {
    const rounded = Math.round(ms);
    return new Promise((resolve) => {
      if (rounded <= 0) setImmediate(resolve);
      else if (rounded <= MAX_TIMER_DELAY_MS) setTimeout(resolve, rounded);
      else setChainedTimeout(resolve, rounded);
    });
  }
}

/** A clock that moves only when told to; for tests and simulation. */
export class ManualClock implements Clock {
  private timers: { at: number; resolve: () => void }[] = [];

  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.current + Math.max(0, ms), resolve });
    });
  }

  /** Moves time forward and wakes the sleepers that are due, in time order. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const t of due) t.resolve();
  }
}
