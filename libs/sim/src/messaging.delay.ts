import type { Random } from '@aset/determinism';

/**
 * An empirical distribution of a delay, ms, given by its quantiles at evenly spaced levels
 * `0, 1/(n-1), ..., 1` (at least 2, non-decreasing, finite, >= 0). Sampled by inverse transform,
 * interpolating linearly between neighbouring quantiles.
 */
export interface EmpiricalDelay {
  readonly quantilesMs: readonly number[];
}

/**
 * Messaging time of one direction of a live query, ms: a constant, or an empirical distribution
 * sampled per query. On a shared host messaging time is heavy-tailed (event-loop contention): a
 * constant median under-states how many queries a tight SLO loses.
 */
export type MessagingDelay = number | EmpiricalDelay;

/** Messaging time of the live testbed: `request` up to the query's arrival at the worker, `reply` back to the sender. */
export interface MessagingTime {
  request: MessagingDelay;
  reply: MessagingDelay;
}

/** Levels {@link empiricalDelay} keeps by default: every percentile. */
const DEFAULT_LEVELS = 101;

/**
 * The empirical distribution of `samples` (ms) as `levels` evenly spaced quantiles, for
 * {@link MessagingDelay}. Negative samples (clock noise between processes) count as 0.
 */
export function empiricalDelay(samples: readonly number[], levels = DEFAULT_LEVELS): EmpiricalDelay & { quantilesMs: number[] } {
  if (samples.length === 0) throw new Error('empiricalDelay: no samples to build a messaging-time distribution from');
  if (!Number.isInteger(levels) || levels < 2) throw new Error(`empiricalDelay: levels must be an integer >= 2, got ${levels}`);
  const sorted = samples.map((s) => Math.max(0, s)).sort((a, b) => a - b);
  const quantilesMs = Array.from({ length: levels }, (_, i) => interpolate(sorted, i / (levels - 1)));
  return { quantilesMs };
}

/** Checks a delay, naming `what` in the error (e.g. "overheadMs.request"). */
export function checkMessagingDelay(delay: MessagingDelay, what: string): void {
  if (typeof delay === 'number') {
    if (!Number.isFinite(delay) || delay < 0) throw new Error(`${what} must be a finite number of ms >= 0, got ${delay}`);
    return;
  }
  const q = delay.quantilesMs;
  if (!Array.isArray(q) || q.length < 2) throw new Error(`${what}.quantilesMs must hold at least 2 quantiles (levels 0 and 1), got ${Array.isArray(q) ? q.length : typeof q}`);
  for (let i = 0; i < q.length; i++) {
    const v = q[i] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${what}.quantilesMs[${i}] must be a finite number of ms >= 0, got ${v}`);
    if (i > 0 && v < (q[i - 1] as number)) throw new Error(`${what}.quantilesMs must not decrease: [${i - 1}] = ${q[i - 1]} > [${i}] = ${v}`);
  }
}

/**
 * A sampler of `delay`: a constant draws nothing from `random` (so constant-overhead runs replay
 * exactly as before distributions existed); a distribution draws one uniform per sample.
 */
export function delaySampler(delay: MessagingDelay, random: Random): () => number {
  if (typeof delay === 'number') return () => delay;
  const q = delay.quantilesMs;
  return () => interpolate(q, random());
}

/** The least the delay can be: the constant, or the distribution's lowest quantile. Bounds use it so that they stay bounds. */
export function leastDelayMs(delay: MessagingDelay): number {
  return typeof delay === 'number' ? delay : (delay.quantilesMs[0] as number);
}

/** The delay's median: the constant, or the distribution's 0.5 quantile. */
export function medianDelayMs(delay: MessagingDelay): number {
  return typeof delay === 'number' ? delay : interpolate(delay.quantilesMs, 0.5);
}

/** The value at level `u` in [0, 1] of sorted values taken at evenly spaced levels, linearly interpolated. */
function interpolate(sorted: readonly number[], u: number): number {
  const x = u * (sorted.length - 1);
  const i = Math.floor(x);
  if (i >= sorted.length - 1) return sorted[sorted.length - 1] as number;
  const lo = sorted[i] as number;
  return lo + (x - i) * ((sorted[i + 1] as number) - lo);
}
