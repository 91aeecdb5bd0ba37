import { Module, type DynamicModule } from '@nestjs/common';
import { BusModule, ObservabilityModule, ScenarioModule, serviceConfigModule } from '@aset/service-kit';
import type { SchedulerEnv } from './scheduler.config.js';
import { ClusterStateTracker } from './cluster-state.tracker.js';
import { QueryDispatcher } from './query.dispatcher.js';
import { admissionProvider } from './admission.provider.js';
import { schedulingPolicyProvider } from './scheduling-policy.provider.js';
import { OutcomeFeed } from './outcome.feed.js';
import { SchedulerMetrics } from './scheduler.metrics.js';

@Module({})
export class SchedulerModule {
  /** The scheduler, configured by its validated environment (`validateSchedulerEnv`). */
  static forRoot(config: SchedulerEnv): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [serviceConfigModule(config), BusModule.forService('scheduler'), ScenarioModule, ObservabilityModule.forRoot()],
      providers: [schedulingPolicyProvider, admissionProvider, ClusterStateTracker, QueryDispatcher, OutcomeFeed, SchedulerMetrics],
    };
  }
}
