import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { InferenceQuery, InferenceReply } from '@aset/contracts';
import { FORWARDED, MessageBus, type IncomingRequest } from '@aset/messaging';
import { Scenario } from '@aset/scenario';
import type { SchedulingPolicy } from '@aset/scheduling';
import { CLOCK } from '@aset/service-kit';
import type { Clock } from '@aset/determinism';
import { ClusterStateTracker } from './cluster-state.tracker.js';
import { SCHEDULING_POLICY } from './scheduling-policy.provider.js';

/**
 * Serves `query.schedule`: asks the configured policy for a placement, then forwards the query to
 * the chosen cluster's workers with the requester's reply subject, so that the worker answers the
 * generator directly. Drops and unknown references are answered here.
 */
@Injectable()
export class QueryDispatcher implements OnApplicationBootstrap {
  private readonly logger = new Logger(QueryDispatcher.name);

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(SCHEDULING_POLICY) private readonly policy: SchedulingPolicy,
    @Inject(ClusterStateTracker) private readonly tracker: ClusterStateTracker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const subject = this.bus.subject('scheduleQuery');
    this.bus.serve('scheduleQuery', subject, (q, req) => this.dispatch(q, req), { queue: 'scheduler' });
    this.logger.log(`serving ${subject} with policy ${this.policy.name} over ${this.scenario.clusters.length} clusters of scenario ${this.scenario.name}`);
  }

  dispatch(query: InferenceQuery, request: IncomingRequest): InferenceReply | typeof FORWARDED {
    if (!this.scenario.hasSource(query.source)) {
      return this.unknown(query, `source "${query.source}" is not in scenario ${this.scenario.name}`);
    }
    const now = this.clock.now();
    const placement = this.policy.decide(query, this.tracker.observe(now));
    if (placement.kind === 'drop') {
      return {
        schemaVersion: 1,
        status: 'dropped',
        queryId: query.queryId,
        policy: this.policy.name,
        reason: placement.reason,
        detail: placement.detail,
        decidedAt: now,
      };
    }
    const clusterId = (this.scenario.clusters[placement.clusterIndex] as { id: string }).id;
    const decision = { clusterId, variantId: placement.variantId, policy: this.policy.name, decidedAt: now };
    this.bus.forward('clusterInfer', this.bus.subject('clusterInfer', { clusterId }), { ...query, decision }, request.replyTo);
    return FORWARDED;
  }

  private unknown(query: InferenceQuery, message: string): InferenceReply {
    return { schemaVersion: 1, status: 'error', code: 'UNKNOWN_REFERENCE', message, queryId: query.queryId };
  }
}
