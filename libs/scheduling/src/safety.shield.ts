import type { PlacementCatalog } from './placement.catalog.js';
import type { RecentActivity } from './recent-activity.window.js';

/**
 * The safety tiers deployed aset-direct agents use unless told otherwise (jitter standard
 * deviations, most confident first). On the standard suite they turn the trained agent's rare
 * deadline misses on calm, tight-SLO traffic (choices within 3 sigma of the deadline while a safer
 * candidate was on offer) into hits; see docs/results.md. The shielded heuristics use them too.
 */
export const DEFAULT_SAFETY_TIERS: readonly number[] = [4, 2, 1, 0];

/**
 * The safety shield: the one place that decides which placement candidates are safe for a query.
 * A candidate (cluster `c`, latency estimate `e`) is safe at tier `k` (standard deviations) when
 *
 *     e + (max(0, activity.excessMs(c)) + k * SQRT2 * jitter(source, c)) <= budget
 *
 * with `jitter` the scenario's nominal one-way jitter of the source-cluster link (SQRT2: the two
 * ways), `excessMs` the delay the cluster's recent answers held beyond their nominal network and
 * processing time (shrunk towards every cluster's: {@link RecentActivity.excessMs}), and `budget` the time left before the query's deadline
 * (`createdAt + maxLatencyMs - now`). {@link mark} keeps the candidates of the first tier, in the
 * order given, that has any; when none has, every candidate. aset-direct (through
 * CandidateEncoder), shield-random and the shielded heuristics all decide through it.
 *
 * Allocates nothing per call; the link jitters of a source are the catalog's row (`jitterRow`,
 * built the first time any user of the catalog asks for that source). One instance serves one
 * caller at a time: it keeps the last call's per-candidate margins for {@link marginMs}.
 */
export class SafetyShield {
  /** Per candidate of the last {@link mark}: its cluster's recent excess delay (>= 0); its link's one-way jitter; the first tier index it was found safe at (tiers.length: none). */
  private readonly excess: Float64Array;
  private readonly jitter: Float64Array;
  private readonly firstSafe: Int32Array;
  /** Per tier: `k * SQRT2`, the factor of the jitter (the same product the formula evaluates first). */
  private readonly tierFactor: Float64Array;
  constructor(
    /** Of the scenario the candidates are in: its rows of link jitters. */
    private readonly catalog: PlacementCatalog,
    private readonly activity: RecentActivity,
    /** Tiers in jitter standard deviations, most confident first; empty: the shield is off (every candidate marked). */
    readonly tiers: readonly number[],
    /** The most candidates one {@link mark} is given. */
    readonly capacity: number,
  ) {
    this.excess = new Float64Array(capacity);
    this.jitter = new Float64Array(capacity);
    this.firstSafe = new Int32Array(capacity);
    this.tierFactor = Float64Array.from(tiers, (k) => k * Math.SQRT2);
  }

  /**
   * Sets `mask[j]` to 1 for the candidates `j < count` of the first tier that has any, 0 for the
   * others; to 1 for all when no tier has one (or there are no tiers). Candidate `j` is cluster
   * `clusters[j]` with estimate `estimates[j]` ms, for a query from scenario source `source`.
   * Returns the index in `tiers` of the tier marked, or -1 when every candidate is marked because
   * none is safe at any tier (or the shield is off). `count` must not exceed the capacity;
   * `mask` past `count` is left as it is.
   *
   * One pass: each candidate is tested tier by tier up to the first tier found non-empty so far (a
   * candidate safe at the final tier is found safe there, and at no earlier one, since no earlier
   * tier has any); so usually one test per candidate, `tiers.length` when none is safe.
   */
  mark(source: number, clusters: Int32Array, estimates: Float64Array, count: number, budget: number, mask: Uint8Array): number {
    const tierCount = this.tiers.length;
    let best = tierCount;
    if (tierCount > 0) {
      const row = this.catalog.jitterRow(source);
      const factor = this.tierFactor;
      for (let j = 0; j < count; j++) {
        const c = clusters[j] as number;
        const excess = Math.max(0, this.activity.excessMs(c));
        const jitter = row[c] as number;
        const estimate = estimates[j] as number;
        this.excess[j] = excess;
        this.jitter[j] = jitter;
        const last = best < tierCount ? best : tierCount - 1;
        let first = tierCount;
        for (let t = 0; t <= last; t++) {
          if (estimate + (excess + (factor[t] as number) * jitter) <= budget) {
            first = t;
            break;
          }
        }
        this.firstSafe[j] = first;
        if (first < best) best = first;
      }
    }
    if (best === tierCount) {
      for (let j = 0; j < count; j++) mask[j] = 1;
      return -1;
    }
    for (let j = 0; j < count; j++) mask[j] = this.firstSafe[j] === best ? 1 : 0;
    return best;
  }

  /**
   * The margin the last {@link mark} asked of candidate `j` at tier index `tier` (a value it returned,
   * >= 0): its excess delay plus the tier's jitter allowance, ms. Candidate `j` was safe there exactly
   * when `estimates[j] + marginMs(j, tier) <= budget`.
   */
  marginMs(j: number, tier: number): number {
    return (this.excess[j] as number) + (this.tierFactor[tier] as number) * (this.jitter[j] as number);
  }
}
