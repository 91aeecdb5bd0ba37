import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import type { QueryRecord } from '@aset/contracts';
import { DURATION_BUCKETS_SECONDS, ServiceMetrics, seconds } from '@aset/service-kit';

/** End-to-end latency and outcomes, as the sender sees them (warm-up included, labelled). */
@Injectable()
export class GeneratorMetrics {
  private readonly latency: Histogram<'app' | 'policy'>;
  private readonly outcomes: Counter<'app' | 'policy' | 'status' | 'slo_met'>;

  constructor(@Inject(ServiceMetrics) metrics: ServiceMetrics) {
    const registers = [metrics.registry];
    this.latency = new Histogram({ name: 'aset_query_latency_seconds', help: 'End-to-end latency of answered queries, from the scheduled send time, seconds', labelNames: ['app', 'policy'], buckets: DURATION_BUCKETS_SECONDS, registers });
    this.outcomes = new Counter({ name: 'aset_queries_total', help: 'Queries by terminal status and SLO outcome', labelNames: ['app', 'policy', 'status', 'slo_met'], registers });
  }

  record(r: QueryRecord): void {
    const policy = r.policy ?? 'none';
    this.outcomes.inc({ app: r.app, policy, status: r.status, slo_met: String(r.sloMet) });
    if (r.status === 'completed') this.latency.observe({ app: r.app, policy }, seconds(r.latencyMs));
  }
}
