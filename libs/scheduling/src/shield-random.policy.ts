import type { Random } from '@aset/determinism';
import { ASET_DIRECT_DEFAULTS } from './aset-direct.policy.js';
import { CandidateEncoder, type Candidate } from './aset-state.encoder.js';
import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import { RecentActivity } from './recent-activity.window.js';
import { DEFAULT_SAFETY_TIERS } from './safety.shield.js';

/**
 * `shield-random`: the ablation of aset-direct's learned choice. Same candidate set (CandidateEncoder
 * with the aset-direct agent's candidateSlots, nearestClusters and fastestVariantOnly when the
 * context has one, else a new agent's, {@link ASET_DIRECT_DEFAULTS}), same safety shield (the
 * agent's tiers, else DEFAULT_SAFETY_TIERS; an agent run with its shield off makes this plain
 * random over the candidates), same RecentActivity feeding; the query goes to a candidate of the
 * shield's first non-empty tier drawn uniformly from the context's seeded stream. What aset-direct
 * wins over this is what its network learned beyond its action space and shield. Needs no trained
 * agent.
 */
export class ShieldRandomPolicy implements SchedulingPolicy {
  readonly name = 'shield-random';
  readonly activity: RecentActivity;
  readonly encoder: CandidateEncoder;
  private readonly random: Random;
  private readonly state: Float32Array;

  constructor(private readonly ctx: PolicyContext) {
    const agent = ctx.agents?.asetDirect;
    this.random = ctx.random;
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.encoder = new CandidateEncoder(
      ctx.scenario,
      ctx.catalog,
      this.activity,
      agent?.candidateSlots ?? ASET_DIRECT_DEFAULTS.candidateSlots,
      agent?.nearestClusters ?? ASET_DIRECT_DEFAULTS.nearestClusters,
      agent ? agent.fastestVariantOnly === true : ASET_DIRECT_DEFAULTS.fastestVariantOnly,
      agent?.safetyTiers ?? DEFAULT_SAFETY_TIERS,
    );
    this.state = new Float32Array(this.encoder.size);
  }

  decide(query: QueryView, observation: Observation): Placement {
    this.activity.onArrival(query, observation.now);
    const found = this.encoder.encode(query, observation, this.state);
    if (found === 0) return this.ctx.catalog.feasibleFor(query.task, query.slo.minAccuracy).clusters.length === 0 ? noFeasibleOption(query) : noLiveCluster(query);
    const mask = this.encoder.mask;
    let allowed = 0;
    for (let j = 0; j < found; j++) allowed += mask[j] as number;
    let r = Math.floor(this.random() * allowed);
    let pick = 0;
    for (let j = 0; j < found; j++) {
      if (mask[j] !== 1) continue;
      if (r-- === 0) {
        pick = j;
        break;
      }
    }
    const chosen = this.encoder.candidates[pick] as Candidate;
    this.activity.onDispatch(chosen.clusterIndex);
    return { kind: 'dispatch', clusterIndex: chosen.clusterIndex, variantId: chosen.variantId };
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
  }
}
