import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DURATION_BUCKETS_SECONDS, ServiceMetrics, seconds } from '@aset/service-kit';
import { HostedClusters } from './hosted.clusters.js';

/**
 * The worker's Prometheus series, each hosted cluster's under its `cluster` label: gauges read from
 * its state at scrape time, and histograms of the time queries spend in each stage here (label
 * `variant`).
 */
@Injectable()
export class WorkerMetrics {
  readonly queueing: Histogram<'cluster' | 'variant'>;
  readonly processing: Histogram<'cluster' | 'variant'>;
  readonly network: Histogram<'cluster'>;
  readonly batchSize: Histogram<'cluster' | 'variant'>;

  constructor(@Inject(ServiceMetrics) metrics: ServiceMetrics, @Inject(HostedClusters) clusters: HostedClusters) {
    const hosted = clusters.all;
    const registers = [metrics.registry];
    new Gauge({
      name: 'aset_worker_busy_slots',
      help: 'Slots running a batch (a query, without batching)',
      labelNames: ['cluster'],
      registers,
      collect() {
        for (const c of hosted) this.set({ cluster: c.spec.id }, c.endpoint.server.queue.busy);
      },
    });
    new Gauge({
      name: 'aset_worker_queue_length',
      help: 'Queries waiting for their batch to start',
      labelNames: ['cluster'],
      registers,
      collect() {
        for (const c of hosted) this.set({ cluster: c.spec.id }, c.endpoint.server.queue.waiting);
      },
    });
    new Gauge({
      name: 'aset_worker_slots',
      help: 'Slots of the cluster (scenario)',
      labelNames: ['cluster'],
      registers,
      collect() {
        for (const c of hosted) this.set({ cluster: c.spec.id }, c.spec.slots);
      },
    });
    new Counter({
      name: 'aset_worker_emulation_overruns_total',
      help: 'Batches (queries, without batching) whose real processing took longer than the emulated hardware allows',
      labelNames: ['cluster'],
      registers,
      collect() {
        this.reset();
        for (const c of hosted) this.inc({ cluster: c.spec.id }, c.emulator.overruns);
      },
    });
    new Counter({
      name: 'aset_worker_refused_total',
      help: 'Queries refused with QUEUE_FULL: every slot busy and the queue at the cluster\'s maxQueue',
      labelNames: ['cluster'],
      registers,
      collect() {
        this.reset();
        for (const c of hosted) this.inc({ cluster: c.spec.id }, c.endpoint.refused);
      },
    });
    this.queueing = new Histogram({ name: 'aset_worker_queueing_seconds', help: 'Time waiting for a slot, seconds', labelNames: ['cluster', 'variant'], buckets: DURATION_BUCKETS_SECONDS, registers });
    this.processing = new Histogram({ name: 'aset_worker_processing_seconds', help: 'Processing time including hardware padding, seconds', labelNames: ['cluster', 'variant'], buckets: DURATION_BUCKETS_SECONDS, registers });
    this.network = new Histogram({ name: 'aset_worker_emulated_network_seconds', help: 'Emulated network delay, request plus reply, seconds', labelNames: ['cluster'], buckets: DURATION_BUCKETS_SECONDS, registers });
    this.batchSize = new Histogram({
      name: 'aset_worker_batch_size',
      help: 'Queries per batch run (1 without dynamic batching)',
      labelNames: ['cluster', 'variant'],
      buckets: [1, 2, 3, 4, 5, 6, 7, 8],
      registers,
    });
    for (const { spec, endpoint } of hosted) {
      const cluster = spec.id;
      endpoint.server.onBatch = (variant, size) => this.batchSize.observe({ cluster, variant }, size);
      endpoint.onStages = (variant, s) => {
        this.queueing.observe({ cluster, variant }, seconds(Math.max(0, s.queueingMs)));
        this.processing.observe({ cluster, variant }, seconds(s.processingMs));
        if (s.networkMs !== null) this.network.observe({ cluster }, seconds(s.networkMs));
      };
    }
  }
}
