import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, ObservabilityModule, serviceConfigModule } from '@aset/service-kit';
import type { SloAlerterEnv } from './slo-alerter.config.js';
import { SloAlertConsumer } from './slo-alert.consumer.js';

@Module({})
export class SloAlerterModule {
  /** The alerter, configured by its validated environment (`validateSloAlerterEnv`). */
  static forRoot(config: SloAlerterEnv): DynamicModule {
    return {
      module: SloAlerterModule,
      imports: [serviceConfigModule(config), BusModule.forService('slo-alerter'), ObservabilityModule.forRoot()],
      providers: [SloAlertConsumer],
    };
  }
}
