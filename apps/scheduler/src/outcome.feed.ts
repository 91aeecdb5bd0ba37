import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Clock } from '@aset/determinism';
import { MessageBus, type Consumption } from '@aset/messaging';
import { Scenario } from '@aset/scenario';
import { outcomeOf, type SchedulingPolicy } from '@aset/scheduling';
import { CLOCK, seconds } from '@aset/service-kit';
import { SchedulerMetrics } from './scheduler.metrics.js';
import { SCHEDULING_POLICY } from './scheduling-policy.provider.js';

/**
 * Feeds query outcomes to policies that learn from them (ASET): an ordered, ephemeral JetStream
 * consumer on the query records, from the newest on. Static policies get no feed. Starting it
 * ensures the records stream, which the decision records `QueryDispatcher` publishes for such a
 * policy need.
 */
@Injectable()
export class OutcomeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutcomeFeed.name);
  private consumption?: Consumption;
  received = 0;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(SCHEDULING_POLICY) private readonly policy: SchedulingPolicy,
    @Inject(SchedulerMetrics) private readonly metrics: SchedulerMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.policy.observeOutcome) return;
    this.consumption = await this.bus.consume(
      { ordered: { deliver: 'new' } },
      {
        queryRecord: (record) => {
          this.received++;
          this.metrics.outcomeLag.observe(seconds(this.clock.now() - record.completedAt));
          this.policy.observeOutcome?.(outcomeOf(record, this.scenario));
        },
      },
    );
    this.logger.log(`feeding query outcomes to ${this.policy.name}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumption?.close();
  }
}
