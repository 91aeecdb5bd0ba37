import { Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, type Clock } from '@aset/determinism';
import { Scenario } from '@aset/scenario';
import { BusModule, ObservabilityModule, ScenarioModule, serviceConfigModule } from '@aset/service-kit';
import type { GeneratorEnv } from './generator.config.js';
import { GeneratorMetrics } from './generator.metrics.js';
import { RUN_SETTINGS, runSettingsOf } from './run.settings.js';
import { WorkloadRun } from './workload.run.js';

@Module({})
export class GeneratorModule {
  /** The generator, configured by its validated environment (`validateGeneratorEnv`). */
  static forRoot(config: GeneratorEnv): DynamicModule {
    return {
      module: GeneratorModule,
      imports: [serviceConfigModule(config), BusModule.forService('workload-generator'), ScenarioModule, ObservabilityModule.forRoot()],
      providers: [
        { provide: RUN_SETTINGS, inject: [Scenario, CLOCK], useFactory: (scenario: Scenario, clock: Clock) => runSettingsOf(config, scenario, clock.now()) },
        WorkloadRun,
        GeneratorMetrics,
      ],
    };
  }
}
