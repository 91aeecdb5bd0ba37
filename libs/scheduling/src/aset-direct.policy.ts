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

/** A decision waiting for its reward (its outcome) and, with the discounted objective, for the next decision's state. */
interface PendingDecision {
  state: Float32Array;
  mask: Uint8Array;
  action: number;
  /** The outcome's reward once known. */
  reward?: number;
  /** The next decision's state and mask (discounted objective). */
  next?: { state: Float32Array; mask: Uint8Array };
  learned?: boolean;
}

/**
 * `aset-direct`: a per-query action. The agent scores up to `candidateSlots` candidate placements
 * (CandidateEncoder: the best estimates among the nearest clusters and the cloud) and the query goes
 * to the chosen one, within the agent's safety shield if it has one. Reward: 1 when that query met
 * its SLO, else 0, learned once its outcome has arrived. With the `query` objective each query is a
 * terminal transition (a contextual decision); with `discounted` it leads to the next query's state
 * (and is learned once that is known too), so the agent values what its choice leaves for the queries
 * that follow. {@link endEpisode} settles the decisions still pending (a missing outcome counts as a failure).
 */
export class AsetDirectPolicy implements SchedulingPolicy {
  readonly activity: RecentActivity;
  readonly encoder: CandidateEncoder;
  private readonly state: Float32Array;
  private readonly pending = new Map<string, PendingDecision>();
  /** Discounted objective: the last decision, waiting for the next one's state. */
  private previous: PendingDecision | undefined;

  constructor(
    private readonly ctx: PolicyContext,
    readonly agent: DirectAgent,
    /** The name in reports: `aset-direct`, or that of a variant run (`aset-direct-unshielded`). */
    readonly name = 'aset-direct',
  ) {
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.encoder = new CandidateEncoder(ctx.scenario, ctx.catalog, this.activity, agent.candidateSlots, agent.nearestClusters, agent.fastestVariantOnly === true, agent.safetyTiers ?? [], agent.headroom === true);
    this.state = new Float32Array(this.encoder.size);
  }

  decide(query: QueryView, observation: Observation): Placement {
    this.activity.onArrival(query, observation.now);
    const found = this.encoder.encode(query, observation, this.state);
    if (found === 0) return this.ctx.catalog.feasibleFor(query.task, query.slo.minAccuracy).clusters.length === 0 ? noFeasibleOption(query) : noLiveCluster(query);
    const action = this.agent.controller.choose(this.state, this.encoder.mask);
    const chosen = this.encoder.candidates[action] as Candidate;
    if (this.agent.controller.learn) {
      const decision: PendingDecision = { state: this.state.slice(), mask: this.encoder.mask.slice(), action };
      this.pending.set(query.queryId, decision);
      if (this.agent.objective === 'discounted') {
        const previous = this.previous;
        this.previous = decision;
        if (previous) {
          previous.next = { state: decision.state, mask: decision.mask };
          if (previous.reward !== undefined) this.learn(previous, false);
        }
      }
    }
    this.activity.onDispatch(chosen.clusterIndex, this.encoder.tight);
    return { kind: 'dispatch', clusterIndex: chosen.clusterIndex, variantId: chosen.variantId };
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
    const controller = this.agent.controller;
    if (!controller.learn) return;
    const p = this.pending.get(outcome.queryId);
    if (!p) return;
    this.pending.delete(outcome.queryId);
    p.reward = outcome.sloMet ? 1 : 0;
    if (this.agent.objective !== 'discounted') this.learn(p, true);
    else if (p.next) this.learn(p, false);
  }

  /**
   * Training, discounted objective: learns every decision still pending, those without an outcome
   * as failures, the last one as terminal. (With the `query` objective, decisions whose outcome did
   * not arrive within the episode are not learned, as when the shipped agents were trained.)
   */
  endEpisode(): void {
    if (!this.agent.controller.learn || this.agent.objective !== 'discounted') return;
    for (const p of this.pending.values()) {
      p.reward ??= 0;
      this.learn(p, p.next === undefined);
    }
    const last = this.previous;
    if (last && !last.learned) this.learn(last, true);
    this.pending.clear();
    this.previous = undefined;
  }

  reset(): void {
    this.pending.clear();
    this.previous = undefined;
  }

  private learn(p: PendingDecision, done: boolean): void {
    p.learned = true;
    const next = done ? { state: p.state, mask: p.mask } : (p.next as NonNullable<PendingDecision['next']>);
    this.agent.controller.learn?.({ state: p.state, action: p.action, reward: p.reward ?? 0, nextState: next.state, done, mask: p.mask, nextMask: next.mask });
  }
}
