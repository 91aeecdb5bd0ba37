import type { AsetAgents } from './aset.agents.js';
import type { Observation, Placement, PolicyContext, PolicyDecision, QueryOutcome, QueryView, SchedulingPolicy } from './policy.contract.js';
import { AsetStateEncoder } from './aset-state.encoder.js';
import { RecentActivity } from './recent-activity.window.js';
import { STATIC_POLICIES, isStaticPolicyName } from './static.policies.js';

type MetaAgent = NonNullable<AsetAgents['aset']>;

/** Per step: the state it started from, the action taken, and its queries' outcomes so far. */
interface StepRecord {
  state: Float32Array;
  action: number;
  ended: number;
  met: number;
}

/**
 * `aset`: every `stepMs` the agent observes the continuous state (AsetStateEncoder) and picks the
 * static policy that dispatches the queries of the next step. The reward of a step is the fraction
 * of the queries created during it that met their SLO; it is settled two steps later, when those
 * queries have ended (their deadlines are far shorter than a step), and handed to a learning
 * controller as the transition (state, action, reward, next state).
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
  private readonly steps: StepRecord[];

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
    this.steps = Array.from({ length: 3 }, () => ({ state: new Float32Array(this.encoder.size), action: 0, ended: 0, met: 0 }));
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
    const placement = (this.policies[this.active] as SchedulingPolicy).decide(query, observation);
    if (placement.kind === 'dispatch') this.activity.onDispatch(placement.clusterIndex);
    return placement;
  }

  observeOutcome(outcome: QueryOutcome): void {
    this.activity.onOutcome(outcome);
    if (Number.isNaN(this.origin)) return;
    const k = Math.floor((outcome.createdAt - this.origin) / this.agent.stepMs);
    if (k < 0 || k > this.step || k < this.step - 2) return;
    const rec = this.steps[k % 3] as StepRecord;
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
    for (const p of this.policies) p.reset?.();
  }

  /** Training: settles the last steps as terminal transitions. */
  endEpisode(observation: Observation): void {
    if (this.step < 0 || !this.agent.controller.learn) return;
    const final = this.encoder.encode(observation, this.active);
    for (const k of [this.step - 1, this.step]) {
      if (k < 0) continue;
      const rec = this.steps[k % 3] as StepRecord;
      const next = k === this.step ? final : (this.steps[(k + 1) % 3] as StepRecord).state;
      if (rec.ended > 0) this.agent.controller.learn({ state: rec.state, action: rec.action, reward: rec.met / rec.ended, nextState: next, done: k === this.step });
    }
  }

  private boundary(observation: Observation): void {
    // Skip steps in which nothing arrived: the next boundary follows the current time.
    const stepMs = this.agent.stepMs;
    const k = Math.floor((observation.now - this.origin) / stepMs);
    this.nextBoundary = this.origin + (k + 1) * stepMs;
    const prev = this.step;
    this.step = k;
    const rec = this.steps[k % 3] as StepRecord;
    this.encoder.encode(observation, this.active, rec.state);
    // Settle the step two back: its queries have ended by now.
    const settled = k - 2;
    if (this.agent.controller.learn && settled >= 0 && settled >= prev - 2 && prev >= 0) {
      const done = this.steps[settled % 3] as StepRecord;
      const next = this.steps[(settled + 1) % 3] as StepRecord;
      if (done.ended > 0 && settled + 1 <= prev) this.agent.controller.learn({ state: done.state, action: done.action, reward: done.met / done.ended, nextState: next.state, done: false });
    }
    this.active = this.agent.controller.choose(rec.state);
    rec.action = this.active;
    rec.ended = 0;
    rec.met = 0;
  }
}
