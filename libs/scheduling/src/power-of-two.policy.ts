import type { Random } from '@aset/determinism';
import { ClusterEstimates } from './cluster-estimates.table.js';
import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS, SafetyShield } from './safety.shield.js';

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
export class PowerOfTwoPolicy implements SchedulingPolicy {
  readonly name = 'power-of-two';
  readonly activity: RecentActivity;
  private readonly random: Random;
  private readonly estimates: ClusterEstimates;
  private readonly shield: SafetyShield;
  private readonly mask: Uint8Array;
  /** Entries of the last fill in the pool. */
  private readonly pool: Int32Array;

  constructor(ctx: PolicyContext, tiers: readonly number[] = DEFAULT_SAFETY_TIERS) {
    const n = ctx.scenario.clusters.length;
    this.random = ctx.random;
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.estimates = new ClusterEstimates(ctx.catalog);
    this.shield = new SafetyShield(ctx.scenario, this.activity, tiers, n);
    this.mask = new Uint8Array(n);
    this.pool = new Int32Array(n);
  }

  decide(query: QueryView, observation: Observation): Placement {
    this.activity.onArrival(query, observation.now);
    const est = this.estimates;
    const n = est.fill(query, observation);
    if (n < 0) return noFeasibleOption(query);
    if (n === 0) return noLiveCluster(query);
    this.shield.mark(est.source, est.cluster, est.estimate, n, est.budget, this.mask);
    let m = 0;
    for (let j = 0; j < n; j++) if (this.mask[j] === 1) this.pool[m++] = j;
    let pick = this.pool[0] as number;
    if (m > 1) {
      const a = Math.floor(this.random() * m);
      let b = Math.floor(this.random() * (m - 1));
      if (b >= a) b++;
      const ja = this.pool[a] as number;
      const jb = this.pool[b] as number;
      pick = (est.estimate[jb] as number) < (est.estimate[ja] as number) ? jb : ja;
    }
    this.activity.onDispatch(est.cluster[pick] as number);
    return est.hosted(pick).dispatch;
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
  }
}
