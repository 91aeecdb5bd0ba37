/** Percentile of sorted values, interpolating linearly between closest ranks, as PostgreSQL's percentile_cont does. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

/**
 * The percentiles `ps` (ascending, each in [0, 1]) of `values`, exactly as {@link percentile} computes
 * them on the sorted values, by selection instead of a sort: O(n) on average. Reorders `values` in
 * place (the multiset is unchanged); NaN for an empty array.
 */
export function percentilesInPlace(values: Float64Array, ps: readonly number[]): number[] {
  const n = values.length;
  let from = 0;
  let previous = 0;
  return ps.map((p) => {
    if (!(p >= previous && p <= 1)) throw new RangeError(`percentiles must be ascending within [0, 1], got ${ps.join(', ')}`);
    previous = p;
    if (n === 0) return Number.NaN;
    const rank = (n - 1) * p;
    const lo = Math.floor(rank);
    selectKth(values, lo, from, n - 1);
    // Everything before lo is <= values[lo], everything after is >=: later ranks select further right.
    from = lo;
    const a = values[lo] as number;
    if (rank === lo) return a;
    let b = Infinity;
    for (let i = lo + 1; i < n; i++) if ((values[i] as number) < b) b = values[i] as number;
    return a + (b - a) * (rank - lo);
  });
}

/** Moves the k-th smallest of a[left..right] to index k, smaller ones before it and larger after (quickselect). */
function selectKth(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    const mid = (left + right) >>> 1;
    // Median of three as the pivot, which also guards the scans below.
    if ((a[mid] as number) < (a[left] as number)) swap(a, left, mid);
    if ((a[right] as number) < (a[left] as number)) swap(a, left, right);
    if ((a[right] as number) < (a[mid] as number)) swap(a, mid, right);
    const pivot = a[mid] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

export interface OutcomeSummary {
  queries: number;
  completed: number;
  sloMet: number;
  dropped: number;
  errors: number;
  timedOut: number;
  successRatio: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** An {@link OutcomeSummary}'s counts: what adds up across groups of queries. */
export type OutcomeCounts = Pick<OutcomeSummary, 'queries' | 'completed' | 'sloMet' | 'dropped' | 'errors' | 'timedOut'>;

/** The summary of outcomes with these counts and these latencies of their completed queries (ascending). */
export function outcomeSummaryOf(counts: OutcomeCounts, sortedLatenciesMs: ArrayLike<number>): OutcomeSummary {
  return {
    ...counts,
    successRatio: counts.queries ? counts.sloMet / counts.queries : 0,
    p50Ms: percentile(sortedLatenciesMs, 0.5),
    p95Ms: percentile(sortedLatenciesMs, 0.95),
    p99Ms: percentile(sortedLatenciesMs, 0.99),
  };
}
