import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario } from '@aset/scenario';
import { BusModule, HEALTH_CHECKS, ObservabilityModule, ScenarioModule, serviceConfigModule } from '@aset/service-kit';
import type { WorkerConfig } from './worker.config.js';
import { HostedModels } from './hosted.models.js';
import { HostedClusters } from './hosted.clusters.js';
import { HeartbeatPublisher } from './heartbeat.publisher.js';
import { WorkerMetrics } from './worker.metrics.js';
import { RunTimeline } from './run.timeline.js';

/** Global so that the health check (in ObservabilityModule) can see the loaded models. */
@Global()
@Module({
  providers: [
    {
      provide: HostedModels,
      inject: [ConfigService, Scenario, ModelZoo],
      useFactory: (config: ConfigService<WorkerConfig, true>, scenario: Scenario, zoo: ModelZoo) => HostedModels.load(config, scenario, zoo),
    },
  ],
  exports: [HostedModels],
})
class HostedModelsModule {}

@Module({})
export class WorkerModule {
  /** The worker, configured by its validated environment (`validateWorkerEnv`). */
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        serviceConfigModule(config),
        BusModule.forService('worker'),
        ScenarioModule,
        HostedModelsModule,
        ObservabilityModule.forRoot({
          checks: {
            provide: HEALTH_CHECKS,
            inject: [HealthIndicatorService, HostedModels],
            useFactory: (indicators: HealthIndicatorService, models: HostedModels) => [
              () => indicators.check('models').up({ clusters: models.clusters.map((c) => c.id), variants: models.variantIds, inference: models.placement }),
            ],
          },
        }),
      ],
      providers: [RunTimeline, HostedClusters, HeartbeatPublisher, WorkerMetrics],
    };
  }
}
