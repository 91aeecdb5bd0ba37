import type { AsetAgents } from './aset.agents.js';
import type { Observation, Placement, PolicyContext, PolicyDecision, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import { AsetStateEncoder } from './aset-state.encoder.js';
import { RecentActivity } from './recent-activity.window.js';
import { STATIC_POLICIES, isStaticPolicyName } from './static.policies.js';

type MetaAgent = NonNullable<AsetAgents['aset']>;

/** One step: the state it started from, the action taken, its queries so far, and the state that followed it. */
interface StepRecord {
  /** Step index; -1 while the slot is free. */
  index: number;
  state: Float32Array;
  action: number;
  /** Queries decided during the step. */
  created: number;
  /** Of those, the ones whose outcome is known, and the ones that met their SLO. */
  ended: number;
  met: number;
  /** The state of the step that followed (set at its boundary); undefined while the step is open. */
  next: Float32Array | undefined;
}

/**
 * `aset`: every `stepMs` the agent observes the continuous state (AsetStateEncoder) and picks the
 * static policy that dispatches the queries of the next step. The reward of a step is the fraction
 * of the queries it decided that met their SLO, every one of them counted: a step is settled
 * (handed to a learning controller as the transition (state, action, reward, next state)) once
 * every query it created has an outcome, or once the last of them must have timed out (the step's
 * end plus the scenario's reply time-out plus one step), missing outcomes counting as failures.
 * Steps are settled oldest first, at step boundaries and at the episode's end.
 */
export class AsetPolicy implements SchedulingPolicy {
  readonly name = 'aset';
  readonly activity: RecentActivity;
  readonly encoder: AsetStateEncoder;
  private readonly policies: SchedulingPolicy[];
  private active = 0;
  private origin = Number.NaN;
  private nextBoundary = Number.NaN;
  private step = -1;
  /** The last step handed out by takeDecision. */
  private journaled = -1;
  /** How long after its end a step's queries may still end. */
  private readonly horizonMs: number;
  /** Ring of the steps not yet settled, indexed by step index modulo its length. */
  private readonly steps: StepRecord[];
  /** Oldest step index that may be unsettled. */
  private oldest = 0;
  /** Learning only: the step that decided each query whose outcome is still to come. */
  private readonly decidedIn = new Map<string, number>();

  constructor(
    private readonly ctx: PolicyContext,
    readonly agent: MetaAgent,
  ) {
    this.policies = agent.policies.map((name) => {
      if (!isStaticPolicyName(name)) throw new Error(`aset agent lists "${name}", which is not a static policy`);
      return STATIC_POLICIES[name](ctx);
    });
    this.activity = new RecentActivity(ctx.scenario, ctx.catalog);
    this.encoder = new AsetStateEncoder(ctx.scenario, ctx.catalog, this.activity, this.policies.length);
    this.horizonMs = ctx.scenario.spec.workload.replyTimeoutMs + agent.stepMs;
    const length = Math.ceil(this.horizonMs / agent.stepMs) + 2;
    this.steps = Array.from({ length }, () => ({ index: -1, state: new Float32Array(0), action: 0, created: 0, ended: 0, met: 0, next: undefined }));
  }

  /** The static policy in charge now. */
  get activePolicy(): string {
    return (this.policies[this.active] as SchedulingPolicy).name;
  }

  decide(query: QueryView, observation: Observation): Placement {
    const now = observation.now;
    if (Number.isNaN(this.origin)) {
      this.origin = now;
      this.nextBoundary = now;
    }
    if (now >= this.nextBoundary) this.boundary(observation);
    this.activity.onArrival(query, now);
    if (this.agent.controller.learn) {
      (this.steps[this.step % this.steps.length] as StepRecord).created++;
      this.decidedIn.set(query.queryId, this.step);
    }
    const placement = (this.policies[this.active] as SchedulingPolicy).decide(query, observation);
    if (placement.kind === 'dispatch') this.activity.onDispatch(placement.clusterIndex);
    return placement;
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
    const k = this.decidedIn.get(outcome.queryId);
    if (k === undefined) return;
    this.decidedIn.delete(outcome.queryId);
    const rec = this.steps[k % this.steps.length] as StepRecord;
    if (rec.index !== k) return;
    rec.ended++;
    if (outcome.sloMet) rec.met++;
  }

  /** The step decided since the previous call: its index, start time and chosen static policy. */
  takeDecision(): PolicyDecision | undefined {
    if (this.step < 0 || this.step === this.journaled) return undefined;
    this.journaled = this.step;
    return {
      step: this.step,
      at: this.origin + this.step * this.agent.stepMs,
      stepMs: this.agent.stepMs,
      chosen: this.activePolicy,
      observedSuccessRatio: this.activity.successRatio(),
    };
  }

  reset(): void {
    this.origin = Number.NaN;
    this.step = -1;
    this.journaled = -1;
    this.active = 0;
    this.oldest = 0;
    this.decidedIn.clear();
    for (const rec of this.steps) rec.index = -1;
    for (const p of this.policies) p.reset?.();
  }

  /** Training: settles every step still open, the last one as a terminal transition. */
  endEpisode(observation: Observation): void {
    if (this.step < 0 || !this.agent.controller.learn) return;
    const current = this.steps[this.step % this.steps.length] as StepRecord;
    current.next = this.encoder.encode(observation, this.active);
    for (let k = this.oldest; k <= this.step; k++) this.settle(k, true);
    this.oldest = this.step + 1;
  }

  /**
   * Hands step `k` to the learner, if it is held and created queries, and frees its slot. `force`
   * settles it whatever its outcomes (missing ones count as failures).
   */
  private settle(k: number, force: boolean): boolean {
    const rec = this.steps[k % this.steps.length] as StepRecord;
    if (rec.index !== k) return true;
    if (rec.next === undefined) return false;
    if (!force && rec.ended < rec.created) return false;
    if (rec.created > 0) {
      this.agent.controller.learn?.({ state: rec.state, action: rec.action, reward: rec.met / rec.created, nextState: rec.next, done: k === this.step && force });
    }
    rec.index = -1;
    return true;
  }

  private boundary(observation: Observation): void {
    // Skip steps in which nothing arrived: the next boundary follows the current time.
    const stepMs = this.agent.stepMs;
    const now = observation.now;
    const k = Math.floor((now - this.origin) / stepMs);
    this.nextBoundary = this.origin + (k + 1) * stepMs;
    const state = this.encoder.encode(observation, this.active);
    const length = this.steps.length;
    const previous = this.step;
    const prev = previous >= 0 ? (this.steps[previous % length] as StepRecord) : undefined;
    if (prev && prev.index === previous) prev.next = state;
    this.step = k;
    const learning = this.agent.controller.learn !== undefined;
    // The slot step k takes must be free: the held steps up to k - length are settled first.
    if (learning) for (let j = Math.max(this.oldest, previous - length + 1); j <= Math.min(k - length, previous); j++) this.settle(j, true);
    const rec = this.steps[k % length] as StepRecord;
    rec.state = state;
    // Settle, oldest first, the steps whose queries have all ended or must have.
    if (learning) {
      let j = Math.max(this.oldest, k - length + 1);
      for (; j < k; j++) {
        const end = this.origin + (j + 1) * stepMs;
        if (!this.settle(j, now >= end + this.horizonMs)) break;
      }
      this.oldest = j;
    } else {
      this.oldest = k;
    }
    this.active = this.agent.controller.choose(rec.state);
    rec.index = k;
    rec.action = this.active;
    rec.created = 0;
    rec.ended = 0;
    rec.met = 0;
    rec.next = undefined;
  }
}
