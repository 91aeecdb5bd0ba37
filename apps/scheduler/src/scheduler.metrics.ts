import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { ServiceMetrics } from '@aset/service-kit';

/** Decisions by outcome, the policy's decision time, and how late outcomes reach a learning policy. */
@Injectable()
export class SchedulerMetrics {
  readonly decisions: Counter<'policy' | 'outcome' | 'cluster'>;
  readonly decisionTime: Histogram<'policy'>;
  readonly outcomeLag: Histogram;

  constructor(@Inject(ServiceMetrics) metrics: ServiceMetrics) {
    const registers = [metrics.registry];
    this.decisions = new Counter({ name: 'aset_scheduler_decisions_total', help: 'Scheduling decisions by outcome (dispatched, dropped, refused) and cluster', labelNames: ['policy', 'outcome', 'cluster'], registers });
    this.decisionTime = new Histogram({
      name: 'aset_scheduler_decision_us',
      help: "Time the policy took to decide, microseconds",
      labelNames: ['policy'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
      registers,
    });
    this.outcomeLag = new Histogram({
      name: 'aset_scheduler_outcome_lag_ms',
      help: 'Time from a query\'s completion to its outcome reaching the policy (records stream), ms',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
      registers,
    });
  }
}
