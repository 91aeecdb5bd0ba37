import { percentile } from '@aset/workload';

/** Median and p99 of round-trip samples given in milliseconds, in whole microseconds. */
export function latencyPercentilesUs(samplesMs: readonly number[]): { p50Us: number; p99Us: number } {
  const sorted = Float64Array.from(samplesMs).sort();
  return {
    p50Us: Math.round(percentile(sorted, 0.5) * 1000),
    p99Us: Math.round(percentile(sorted, 0.99) * 1000),
  };
}

/** Median of repeated measurements (NaN for none). */
export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 0.5);
}

/** Events (or requests) per second for `count` completed in `elapsedMs`, rounded to a whole number. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((count * 1000) / elapsedMs) : Number.NaN;
}

/** `a / b` rounded to two decimals; NaN when either side is missing or b is 0. */
export function ratio(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return Math.round((a / b) * 100) / 100;
}
