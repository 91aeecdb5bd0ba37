import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { QueryRecordSchema, decodeMessage } from '@aset/contracts';
import type { Clock } from '@aset/determinism';
import { MessageBus, ensureRecordStream } from '@aset/messaging';
import { Scenario } from '@aset/scenario';
import { outcomeOf, type SchedulingPolicy } from '@aset/scheduling';
import { CLOCK } from '@aset/service-kit';
import { SchedulerMetrics } from './scheduler.metrics.js';
import { SCHEDULING_POLICY } from './scheduling-policy.provider.js';

/**
 * Feeds query outcomes to policies that learn from them (ASET): an ordered, ephemeral JetStream
 * consumer on the query records, from the newest on. Static policies get no feed.
 */
@Injectable()
export class OutcomeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutcomeFeed.name);
  private messages?: ConsumerMessages;
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
    await ensureRecordStream(await this.bus.jsm(), this.bus.subjects);
    const consumer = await this.bus.js().consumers.get(this.bus.subjects.streamName('records'), {
      // A single subject (not a list): multi-subject filters need nats-server 2.10.
      filter_subjects: this.bus.subjects.wildcard('queryRecord'),
      deliver_policy: DeliverPolicy.New,
    });
    this.messages = await consumer.consume({
      callback: (m) => {
        const decoded = decodeMessage(QueryRecordSchema, m.data, m.subject);
        if (!decoded.ok) {
          this.bus.noteInvalid(m.subject, decoded.message);
          return;
        }
        this.received++;
        this.metrics.outcomeLag.observe(this.clock.now() - decoded.value.completedAt);
        this.policy.observeOutcome?.(outcomeOf(decoded.value, this.scenario));
      },
    });
    this.logger.log(`feeding query outcomes to ${this.policy.name}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.messages?.close();
  }
}
