import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Pushgateway } from 'prom-client';
import { MetricFamilySchema, type MetricFamily, type QueryRecord, type RunPart } from '@aset/contracts';
import { DURATION_BUCKETS_SECONDS, ServiceMetrics, seconds } from '@aset/service-kit';

/** The Pushgateway job the generator's final metrics are pushed under. */
export const PUSHGATEWAY_JOB = 'aset-workload-generator';

/**
 * End-to-end latency and outcomes, as the sender sees them (warm-up included, labelled). A
 * generator lives for one run, so its final metrics are also kept in the run's `finished` record
 * ({@link finalMetrics}) and, when a Pushgateway is configured, pushed there ({@link push}).
 */
@Injectable()
export class GeneratorMetrics {
  private readonly latency: Histogram<'app' | 'policy'>;
  private readonly outcomes: Counter<'app' | 'policy' | 'status' | 'slo_met'>;
  private readonly registry: ServiceMetrics['registry'];

  constructor(@Inject(ServiceMetrics) metrics: ServiceMetrics) {
    this.registry = metrics.registry;
    const registers = [metrics.registry];
    this.latency = new Histogram({ name: 'aset_query_latency_seconds', help: 'End-to-end latency of answered queries, from the scheduled send time, seconds', labelNames: ['app', 'policy'], buckets: DURATION_BUCKETS_SECONDS, registers });
    this.outcomes = new Counter({ name: 'aset_queries_total', help: 'Queries by terminal status and SLO outcome', labelNames: ['app', 'policy', 'status', 'slo_met'], registers });
  }

  /** Every `aset_*` metric family of this process as it stands (the run's record keeps them). */
  async finalMetrics(): Promise<MetricFamily[]> {
    const families = await this.registry.getMetricsAsJSON();
    return families.filter((f) => f.name.startsWith('aset_')).map((f) => MetricFamilySchema.parse(f));
  }

  /**
   * Replaces this run's (or part's) group on the Pushgateway at `url` (job {@link PUSHGATEWAY_JOB},
   * grouped by `run_id` and, for a part, `part`) with every metric of this process. Rejects with a
   * message naming the URL when the push fails.
   */
  async push(url: string, runId: string, part: RunPart | undefined): Promise<void> {
    const gateway = new Pushgateway(url, { timeout: 5_000 }, this.registry);
    try {
      await gateway.push({ jobName: PUSHGATEWAY_JOB, groupings: { run_id: runId, ...(part ? { part: part.id } : {}) } });
    } catch (e) {
      throw new Error(`pushing the final metrics to the Pushgateway at ${url} (PUSHGATEWAY_URL) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  record(r: QueryRecord): void {
    const policy = r.policy ?? 'none';
    this.outcomes.inc({ app: r.app, policy, status: r.status, slo_met: String(r.sloMet) });
    if (r.status === 'completed') this.latency.observe({ app: r.app, policy }, seconds(r.latencyMs));
  }
}
