import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { ServiceMetrics } from '@aset/service-kit';
import { ClusterEmulator } from './cluster.emulator.js';
import { HostedModels } from './hosted.models.js';
import { InferenceEndpoint } from './inference.endpoint.js';

/** The worker's own Prometheus series, read from its state at scrape time. */
@Injectable()
export class WorkerMetrics {
  constructor(
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(InferenceEndpoint) endpoint: InferenceEndpoint,
    @Inject(ClusterEmulator) emulator: ClusterEmulator,
    @Inject(HostedModels) models: HostedModels,
  ) {
    const cluster = models.cluster.id;
    const registers = [metrics.registry];
    new Gauge({ name: 'aset_worker_busy_slots', help: 'Slots running a query', labelNames: ['cluster'], registers, collect() { this.set({ cluster }, endpoint.pool.busy); } });
    new Gauge({ name: 'aset_worker_queue_length', help: 'Queries waiting for a slot', labelNames: ['cluster'], registers, collect() { this.set({ cluster }, endpoint.pool.waiting); } });
    new Gauge({ name: 'aset_worker_slots', help: 'Slots of the cluster (scenario)', labelNames: ['cluster'], registers, collect() { this.set({ cluster }, endpoint.pool.slots); } });
    new Counter({
      name: 'aset_worker_emulation_overruns_total',
      help: 'Queries whose real processing took longer than the emulated hardware allows',
      labelNames: ['cluster'],
      registers,
      collect() {
        this.reset();
        this.inc({ cluster }, emulator.overruns);
      },
    });
  }
}
