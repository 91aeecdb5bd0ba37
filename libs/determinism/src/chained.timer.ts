/**
 * The longest delay Node's timers hold, ms: a longer one fires after 1 ms instead (with a
 * TimeoutOverflowWarning).
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** A pending {@link setChainedTimeout}. */
export interface ChainedTimeout {
  /** Cancels the call if it has not happened yet. */
  clear(): void;
}

/**
 * Calls `fn` once after `ms` of wall-clock time (Node's timers), for any delay: one beyond
 * {@link MAX_TIMER_DELAY_MS} is waited as a chain of timers of at most that each. A delay of 0 or
 * less, or NaN, fires as `setTimeout(fn, 0)` does; an infinite one never fires.
 */
export function setChainedTimeout(fn: () => void, ms: number): ChainedTimeout {
  let remaining = ms > 0 ? ms : 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const step = Math.min(remaining, MAX_TIMER_DELAY_MS);
    remaining -= step;
    timer = setTimeout(remaining > 0 ? arm : fn, step);
  };
  if (remaining < Infinity) arm();
  return { clear: () => clearTimeout(timer) };
}
