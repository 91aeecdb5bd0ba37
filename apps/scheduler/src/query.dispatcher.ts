import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { DropReason, InferenceQuery, InferenceReply } from '@aset/contracts';
import { FORWARDED, MessageBus, type IncomingRequest, type RequestDispatcher, type UnansweredDispatch } from '@aset/messaging';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario } from '@aset/scenario';
import type { DeadlineAdmission, PolicyDecision, SchedulingPolicy } from '@aset/scheduling';
import { CLOCK, seconds } from '@aset/service-kit';
import type { Clock } from '@aset/determinism';
import { ClusterStateTracker } from './cluster-state.tracker.js';
import { SCHEDULING_POLICY } from './scheduling-policy.provider.js';
import { ADMISSION_RULE } from './admission.provider.js';
import { SchedulerMetrics } from './scheduler.metrics.js';

/**
 * Redispatches of one query after no responder, after which it is dropped with `NO_LIVE_CLUSTER`
 * (as in the simulator). Each one marks another cluster down, so only a query whose nearest
 * clusters are all dark, or that races their heartbeats, gets there.
 */
const MAX_REDISPATCHES = 16;

/**
 * Serves `query.schedule`: asks the configured policy for a placement, then dispatches the query to
 * the chosen cluster's workers, who answer the generator directly (see `RequestDispatcher`). When
 * nobody listens on that cluster's subject, the cluster is marked down at once and the query is
 * decided again with the updated observation. Drops and unknown references (a source the scenario
 * does not have, a task no variant of its clusters serves) are answered here.
 * With ADMISSION=on, each decision is preceded by the admission rule (`DeadlineAdmission`, the
 * simulator's too): a query no live cluster can answer by its deadline is dropped with
 * DEADLINE_UNREACHABLE before the policy sees it.
 */
@Injectable()
export class QueryDispatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger(QueryDispatcher.name);
  private readonly schedulerId = `scheduler-${process.pid}`;
  private dispatcher!: RequestDispatcher<'clusterInfer'>;
  /** The tasks some variant hosted by a cluster of the scenario serves. */
  private readonly tasks: ReadonlySet<string>;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(ModelZoo) zoo: ModelZoo,
    @Inject(SCHEDULING_POLICY) private readonly policy: SchedulingPolicy,
    @Inject(ClusterStateTracker) private readonly tracker: ClusterStateTracker,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
    @Inject(ADMISSION_RULE) private readonly admission: DeadlineAdmission | null,
  ) {
    this.tasks = new Set(scenario.clusters.flatMap((c) => c.variants.map((id) => zoo.requireVariant(id).task)));
  }

  /** Resolves once the server knows the subscription, so a scheduler that is up can be reached at once. */
  async onApplicationBootstrap(): Promise<void> {
    this.dispatcher = this.bus.dispatcher('clusterInfer', (d) => this.redispatch(d));
    this.bus.serve('scheduleQuery', (q, req) => this.dispatch(q, req), { queue: 'scheduler' });
    await this.bus.flush();
    this.logger.log(`serving ${this.bus.subject('scheduleQuery')} with policy ${this.policy.name} over ${this.scenario.clusters.length} clusters of scenario ${this.scenario.name}`);
  }

  dispatch(query: InferenceQuery, request: IncomingRequest): InferenceReply | typeof FORWARDED {
    if (!this.scenario.hasSource(query.source)) {
      return this.unknown(query, `source "${query.source}" is not in scenario ${this.scenario.name}`);
    }
    if (!this.tasks.has(query.task)) {
      return this.unknown(query, `task "${query.task}" is served by no variant of scenario ${this.scenario.name} (it serves ${[...this.tasks].join(', ')})`);
    }
    return this.place(query, request.replyTo, 1);
  }

  /** Decides and sends the query (its `attempt`-th dispatch), or returns the drop to answer. */
  private place(query: InferenceQuery, replyTo: string | undefined, attempt: number): InferenceReply | typeof FORWARDED {
    const now = this.clock.now();
    const observation = this.tracker.observe(now);
    const refused = this.admission?.check(query, observation);
    if (refused) return this.dropped(query, refused.reason, refused.detail, now);
    const t0 = performance.now();
    const placement = this.policy.decide(query, observation);
    this.metrics.decisionTime.observe({ policy: this.policy.name }, seconds(performance.now() - t0));
    const journaled = this.policy.takeDecision?.();
    if (journaled) this.journal(journaled, query.runId);
    if (placement.kind === 'drop') return this.dropped(query, placement.reason, placement.detail, now);
    const clusterId = (this.scenario.clusters[placement.clusterIndex] as { id: string }).id;
    const decision = { clusterId, variantId: placement.variantId, policy: this.policy.name, decidedAt: now };
    this.metrics.decisions.inc({ policy: this.policy.name, outcome: 'dispatched', cluster: clusterId });
    this.dispatcher.send({ clusterId }, { ...query, decision }, replyTo, attempt);
    return FORWARDED;
  }

  /**
   * Nobody listened on the cluster's subject: the cluster is down until its next heartbeat, and the
   * query is decided again (its decision replaced) or, past MAX_REDISPATCHES, dropped. A drop goes
   * to the generator as any drop does (the dispatcher sends what this returns).
   */
  private redispatch(d: UnansweredDispatch<'clusterInfer'>): InferenceReply | typeof FORWARDED {
    const { clusterId } = d.message.decision;
    this.metrics.noResponders.inc({ cluster: clusterId });
    this.tracker.markUnreachable(clusterId, d.subject);
    return d.attempt > MAX_REDISPATCHES
      ? this.dropped(d.message, 'NO_LIVE_CLUSTER', `no worker answered after ${d.attempt} dispatches`, this.clock.now())
      : this.place(d.message, d.replyTo, d.attempt + 1);
  }

  private dropped(query: InferenceQuery, reason: DropReason, detail: string, now: number): InferenceReply {
    this.metrics.decisions.inc({ policy: this.policy.name, outcome: 'dropped', cluster: '' });
    return { schemaVersion: 1, status: 'dropped', queryId: query.queryId, policy: this.policy.name, reason, detail, decidedAt: now };
  }

  /** Publishes a decision the policy journals (JetStream, for the metrics store). */
  private journal(d: PolicyDecision, runId: string): void {
    const record = { schemaVersion: 1 as const, runId, schedulerId: this.schedulerId, policy: this.policy.name, chosen: d.chosen, step: d.step, stepMs: d.stepMs, at: d.at, observedSuccessRatio: d.observedSuccessRatio };
    this.bus
      .publishDurable('decisionRecord', { runId }, record, `${this.schedulerId}.${d.step}.${d.at}`)
      .catch((e: unknown) => this.logger.warn(`decision record of step ${d.step} not stored: ${e instanceof Error ? e.message : String(e)}`));
  }

  private unknown(query: InferenceQuery, message: string): InferenceReply {
    this.metrics.decisions.inc({ policy: this.policy.name, outcome: 'refused', cluster: '' });
    return { schemaVersion: 1, status: 'error', code: 'UNKNOWN_REFERENCE', message, queryId: query.queryId };
  }
}
