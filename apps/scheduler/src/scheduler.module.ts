import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { BusModule, ObservabilityModule, ScenarioModule } from '@aset/service-kit';
import { validateSchedulerEnv } from './scheduler.config.js';
import { ClusterStateTracker } from './cluster-state.tracker.js';
import { QueryDispatcher } from './query.dispatcher.js';
import { schedulingPolicyProvider } from './scheduling-policy.provider.js';
import { OutcomeFeed } from './outcome.feed.js';
import { SchedulerMetrics } from './scheduler.metrics.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateSchedulerEnv }),
    BusModule.forService('scheduler'),
    ScenarioModule,
    ObservabilityModule.forRoot(),
  ],
  providers: [schedulingPolicyProvider, ClusterStateTracker, QueryDispatcher, OutcomeFeed, SchedulerMetrics],
})
export class SchedulerModule {}
