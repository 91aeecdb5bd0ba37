import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { ServiceMetrics } from '@aset/service-kit';

/** Decisions by outcome and the policy's decision time. */
@Injectable()
export class SchedulerMetrics {
  readonly decisions: Counter<'policy' | 'outcome' | 'cluster'>;
  readonly decisionTime: Histogram<'policy'>;

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
  }
}
