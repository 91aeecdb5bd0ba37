import type { Random } from '@aset/determinism';
import type { PolicyContext } from './policy.contract.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';
import { ShieldedChoicePolicy } from './shielded-choice.policy.js';

/**
 * `power-of-two`: the power of two choices (Mitzenmacher, "The Power of Two Choices in Randomized
 * Load Balancing", IEEE TPDS 2001; per task as Sparrow's batch sampling, Ousterhout et al., SOSP
 * 2013). Of the live clusters that can serve the query (latency-aware's estimate with each one's
 * cheapest variant meeting the floor; see ClusterEstimates), those the safety shield keeps at its
 * first non-empty tier (all of them when no tier has any) form the pool; two distinct members are
 * drawn uniformly from the context's seeded stream and the query goes to the lower estimate (the
 * first drawn on a tie; the only member when the pool has one).
 *
 * Why it is here: greedy rules acting on heartbeat snapshots send every query between two
 * heartbeats to the cluster that looked best, and herd; sampling two spreads that load while still
 * avoiding the worse of each pair, which is what makes d-choice robust to stale load information
 * (Mitzenmacher, "How Useful Is Old Information?", IEEE TPDS 2000). Its cost: it forgoes the best
 * fitting cluster whenever that one is not drawn, so with many fitting clusters it runs queries
 * farther away than needed. The shield reads its own RecentActivity, fed as aset-direct feeds its
 * own. O(feasible clusters) per decision; allocates nothing per decision.
 */
export class PowerOfTwoPolicy extends ShieldedChoicePolicy {
  readonly name = 'power-of-two';
  private readonly random: Random;
  /** Options of the last decision that the shield keeps. */
  private readonly pool: Int32Array;

  constructor(ctx: PolicyContext, tiers: readonly number[] = DEFAULT_SAFETY_TIERS) {
    super(ctx, tiers);
    this.random = ctx.random;
    this.pool = new Int32Array(ctx.scenario.clusters.length);
  }

  protected choose(n: number): number {
    const { mask, estimates } = this.options;
    let m = 0;
    for (let j = 0; j < n; j++) if (mask[j] === 1) this.pool[m++] = j;
    let pick = this.pool[0] as number;
    if (m > 1) {
      const a = Math.floor(this.random() * m);
      let b = Math.floor(this.random() * (m - 1));
      if (b >= a) b++;
      const ja = this.pool[a] as number;
      const jb = this.pool[b] as number;
      pick = (estimates.estimate[jb] as number) < (estimates.estimate[ja] as number) ? jb : ja;
    }
    return pick;
  }
}
