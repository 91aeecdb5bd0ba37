import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { BusModule, ObservabilityModule, ScenarioModule } from '@aset/service-kit';
import { validateGeneratorEnv } from './generator.config.js';
import { WorkloadRun } from './workload.run.js';
import { GeneratorMetrics } from './generator.metrics.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateGeneratorEnv }),
    BusModule.forService('workload-generator'),
    ScenarioModule,
    ObservabilityModule.forRoot(),
  ],
  providers: [WorkloadRun, GeneratorMetrics],
})
export class GeneratorModule {}
