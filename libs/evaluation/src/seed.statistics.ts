import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** A sample mean with its two-sided confidence interval (Student's t over the seeds). */
export interface MeanInterval {
  readonly mean: number;
  /** `[lo, hi]`; both equal the mean when there is a single value (no spread to estimate). */
  readonly ci: readonly [number, number];
  /** Sample standard deviation (n - 1); 0 for a single value. */
  readonly sd: number;
  readonly n: number;
}

/**
 * The mean of `values` (one per seed) and its `level` confidence interval,
 * `mean ± t(1 - (1 - level) / 2, n - 1) · sd / √n`. Throws a RangeError on an empty sample or a
 * non-finite value, naming it.
 */
export function meanWithInterval(values: readonly number[], level = 0.95): MeanInterval {
  if (values.length === 0) throw new RangeError('meanWithInterval: no values');
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`meanWithInterval: value ${i} is ${v}`);
  });
  if (!(level > 0 && level < 1)) throw new RangeError(`meanWithInterval: level ${level} is not in (0, 1)`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, ci: [mean, mean], sd: 0, n };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { mean, ci: [mean - half, mean + half], sd, n };
}

/**
 * The mean difference `a - b` over paired values (the same seed for both) and its confidence
 * interval. Pairing removes the variation the seeds share (the same arrivals), so it separates
 * policies that unpaired intervals cannot. Throws a RangeError when the samples differ in length.
 */
export function pairedDifference(a: readonly number[], b: readonly number[], level = 0.95): MeanInterval {
  if (a.length !== b.length) throw new RangeError(`pairedDifference: ${a.length} values against ${b.length}; pair them by seed`);
  return meanWithInterval(
    a.map((x, i) => x - (b[i] as number)),
    level,
  );
}

/** How A compares with B: `better` / `worse` only when the paired interval excludes 0. */
export type PairedVerdict = 'better' | 'worse' | 'no-difference';

export function pairedVerdict(difference: MeanInterval): PairedVerdict {
  if (difference.n < 2) return 'no-difference';
  if (difference.ci[0] > 0) return 'better';
  if (difference.ci[1] < 0) return 'worse';
  return 'no-difference';
}
