import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, setChainedTimeout } from './chained.timer.js';

const DAY_MS = 86_400_000;

describe('setChainedTimeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires once after a delay beyond the longest timer, not after 1 ms', () => {
    const fn = vi.fn();
    setChainedTimeout(fn, 60 * DAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60 * DAY_MS - 2 * MAX_TIMER_DELAY_MS - 1);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(100 * DAY_MS);
    expect(fn).toHaveBeenCalledOnce();
  });

  it('fires a short or non-positive delay as setTimeout does', () => {
    const short = vi.fn();
    const past = vi.fn();
    setChainedTimeout(short, 5);
    setChainedTimeout(past, -1000);
    vi.advanceTimersByTime(0);
    expect(past).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(4);
    expect(short).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(short).toHaveBeenCalledOnce();
  });

  it('is cancelled by clear, also in a later link of its chain', () => {
    const fn = vi.fn();
    const t = setChainedTimeout(fn, 30 * DAY_MS);
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS + 1);
    t.clear();
    vi.advanceTimersByTime(60 * DAY_MS);
    expect(fn).not.toHaveBeenCalled();
  });

  it('never fires an infinite delay', () => {
    const fn = vi.fn();
    setChainedTimeout(fn, Infinity);
    vi.advanceTimersByTime(1000 * DAY_MS);
    expect(fn).not.toHaveBeenCalled();
  });
});
