import { Controller, Get, Header, Inject, Injectable, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TerminusModule, type HealthIndicatorResult } from '@nestjs/terminus';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { MessageBus } from '@aset/messaging';
import { SERVICE_NAME } from './bus.module.js';

/**
 * Buckets, in seconds (Prometheus's base unit), of every duration histogram in every service, from
 * a scheduler decision (microseconds) to a timed-out query (10 s): histograms with the same buckets
 * aggregate across instances and compare across services (sum the buckets, then take quantiles),
 * which summaries cannot. Record durations with {@link seconds}.
 */
export const DURATION_BUCKETS_SECONDS = [
  0.000001, 0.000002, 0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
  0.15, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** A duration in milliseconds (what the services measure) in seconds (what their metrics export). */
export const seconds = (ms: number): number => ms / 1000;

/** Extra readiness checks a service adds to /health (e.g. the database, loaded models). */
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
export type HealthCheckFn = () => Promise<HealthIndicatorResult> | HealthIndicatorResult;

/** The Prometheus registry of this service; add metrics to it. */
@Injectable()
export class ServiceMetrics {
  readonly registry = new Registry();

  constructor(@Inject(SERVICE_NAME) service: string, @Inject(MessageBus) bus: MessageBus) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const stats = bus.stats;
    const export_ = (name: string, help: string, map: Map<string, number>, labels: string[], split: (k: string) => string[]) =>
      new Counter({
        name,
        help,
        labelNames: labels,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [k, v] of map) {
            const values = split(k);
            this.inc(Object.fromEntries(labels.map((l, i) => [l, values[i] ?? ''])), v);
          }
        },
      });
    export_('aset_bus_invalid_messages_total', 'Messages refused at a receive edge (not JSON, schema, schemaVersion)', stats.invalid, ['subject'], (k) => [k]);
    export_('aset_bus_error_replies_total', 'Requests answered with a typed ErrorReply', stats.errorReplies, ['subject', 'code'], (k) => k.split('|'));
    export_('aset_bus_handled_total', 'Requests and events handled', stats.handled, ['subject'], (k) => [k]);
  }
}

@Controller()
class ObservabilityController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly metrics: ServiceMetrics,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheckFn[],
  ) {}

  @Get('health')
  // Not documented in any OpenAPI document: without this, the decorator loads @nestjs/swagger (about 0.3 s of
  // CPU at every start of every service that has it installed, the workload generator of every run included).
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  check() {
    return this.health.check([
      () => {
        const nats = this.indicators.check('nats');
        return this.bus.isClosed() ? nats.down({ server: this.bus.server }) : nats.up({ server: this.bus.server });
      },
      ...this.checks,
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** `/health` (Terminus: NATS plus the service's own checks) and `/metrics` (Prometheus). */
@Module({})
export class ObservabilityModule {
  static forRoot(options: { checks?: Provider } = {}): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [TerminusModule],
      controllers: [ObservabilityController],
      providers: [ServiceMetrics, options.checks ?? { provide: HEALTH_CHECKS, useValue: [] }],
      exports: [ServiceMetrics],
    };
  }
}
