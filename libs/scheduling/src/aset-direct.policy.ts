import { noFeasibleOption, noLiveCluster } from './no-feasible.drop.js';
import type { AsetAgents } from './aset.agents.js';
import type { Observation, Placement, PolicyContext, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import { CandidateEncoder, type Candidate } from './aset-state.encoder.js';
import { RecentActivity } from './recent-activity.window.js';

type DirectAgent = NonNullable<AsetAgents['asetDirect']>;

/**
 * aset-direct's candidate settings unless told otherwise: what `npm run train` gives a new agent,
 * and what shield-random uses without one.
 */
export const ASET_DIRECT_DEFAULTS = { candidateSlots: 8, nearestClusters: 16, fastestVariantOnly: false } as const;

/**
 * `aset-direct`: a per-query action. The agent scores up to `candidateSlots` candidate placements
 * (CandidateEncoder: the best estimates among the nearest clusters and the cloud) and the query goes
 * to the chosen one, within the agent's safety shield if it has one. Reward: 1 when that query met its SLO, else 0; each query is one transition
 * (a contextual decision, so the transition is terminal), learned when its outcome arrives.
 */
export class AsetDirectPolicy implements SchedulingPolicy {
  readonly activity: RecentActivity;
  readonly encoder: CandidateEncoder;
  private readonly state: Float32Array;
  private readonly pending = new Map<string, { state: Float32Array; mask: Uint8Array; action: number }>();

  constructor(
    private readonly ctx: PolicyContext,
    readonly agent: DirectAgent,
    /** The name in reports: `aset-direct`, or that of a variant run (`aset-direct-unshielded`). */
    readonly name = 'aset-direct',
  ) {
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.encoder = new CandidateEncoder(ctx.scenario, ctx.catalog, this.activity, agent.candidateSlots, agent.nearestClusters, agent.fastestVariantOnly === true, agent.safetyTiers ?? []);
    this.state = new Float32Array(this.encoder.size);
  }

  decide(query: QueryView, observation: Observation): Placement {
    this.activity.onArrival(query, observation.now);
    const found = this.encoder.encode(query, observation, this.state);
    if (found === 0) return this.ctx.catalog.feasibleFor(query.task, query.slo.minAccuracy).clusters.length === 0 ? noFeasibleOption(query) : noLiveCluster(query);
    const action = this.agent.controller.choose(this.state, this.encoder.mask);
    const chosen = this.encoder.candidates[action] as Candidate;
    if (this.agent.controller.learn) this.pending.set(query.queryId, { state: this.state.slice(), mask: this.encoder.mask.slice(), action });
    this.activity.onDispatch(chosen.clusterIndex);
    return { kind: 'dispatch', clusterIndex: chosen.clusterIndex, variantId: chosen.variantId };
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
    const controller = this.agent.controller;
    if (!controller.learn) return;
    const p = this.pending.get(outcome.queryId);
    if (!p) return;
    this.pending.delete(outcome.queryId);
    controller.learn({ state: p.state, action: p.action, reward: outcome.sloMet ? 1 : 0, nextState: p.state, done: true, mask: p.mask, nextMask: p.mask });
  }

  reset(): void {
    this.pending.clear();
  }
}
