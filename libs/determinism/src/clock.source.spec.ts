import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from './clock.source.js';

const DAY_MS = 86_400_000;

describe('SystemClock', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sleeps for the whole of a delay beyond the longest timer (about 24.8 days)', async () => {
    let woke = false;
    void new SystemClock().sleep(30 * DAY_MS).then(() => (woke = true));
    await vi.advanceTimersByTimeAsync(DAY_MS);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(29 * DAY_MS);
    expect(woke).toBe(true);
  });
});
