import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DURATION_BUCKETS_SECONDS, ServiceMetrics } from '@aset/service-kit';

/**
 * Decisions by outcome, the policy's decision time, how late outcomes reach a learning policy, and
 * cluster liveness (clusters held alive; dispatches that found no responder).
 */
@Injectable()
export class SchedulerMetrics {
  readonly decisions: Counter<'policy' | 'outcome' | 'cluster'>;
  readonly decisionTime: Histogram<'policy'>;
  readonly outcomeLag: Histogram;
  readonly liveClusters: Gauge;
  readonly noResponders: Counter<'cluster'>;

  constructor(@Inject(ServiceMetrics) metrics: ServiceMetrics) {
    const registers = [metrics.registry];
    this.decisions = new Counter({ name: 'aset_scheduler_decisions_total', help: 'Scheduling decisions by outcome (dispatched, dropped, refused) and cluster', labelNames: ['policy', 'outcome', 'cluster'], registers });
    this.decisionTime = new Histogram({
      name: 'aset_scheduler_decision_seconds',
      help: 'Time the policy took to decide, seconds',
      labelNames: ['policy'],
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.outcomeLag = new Histogram({
      name: 'aset_scheduler_outcome_lag_seconds',
      help: "Time from a query's completion to its outcome reaching the policy (records stream), seconds",
      buckets: DURATION_BUCKETS_SECONDS,
      registers,
    });
    this.liveClusters = new Gauge({ name: 'aset_scheduler_live_clusters', help: 'Clusters the scheduler holds to be alive (heard within the liveness window, no unanswered dispatch since)', registers });
    this.noResponders = new Counter({ name: 'aset_scheduler_no_responders_total', help: 'Dispatches that found no worker listening, by cluster (the query is decided again)', labelNames: ['cluster'], registers });
  }
}
