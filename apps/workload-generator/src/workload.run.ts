import { writeFileSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import cliProgress from 'cli-progress';
import type { QueryRecord } from '@aset/contracts';
import { CLOCK, type Clock } from '@aset/determinism';
import { MessageBus } from '@aset/messaging';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario } from '@aset/scenario';
import { buildArrivalSchedule, buildQueryRecord, buildRunReport, queryEndOf, type ReplyOutcome, type RunReport } from '@aset/workload';
import { GeneratorMetrics } from './generator.metrics.js';
import { QueryFactory } from './query.factory.js';
import { paceQueries } from './query.pacer.js';
import { RecordPublisher } from './record.publisher.js';
import { RunClockAnnouncer } from './run-clock.announcer.js';
import { RUN_SETTINGS, type RunSettings } from './run.settings.js';

/** Delay from the run's start to its first scheduled arrival, ms. */
const START_DELAY_MS = 20;

/**
 * One open-loop run (MLPerf LoadGen style): queries are sent at their scheduled times whatever
 * the replies do, and latency counts from the scheduled time. Every query ends in exactly one
 * record on JetStream; the run is bracketed by `started` / `finished` run records.
 */
@Injectable()
export class WorkloadRun {
  private readonly logger = new Logger(WorkloadRun.name);

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(Scenario) private readonly scenario: Scenario,
    @Inject(ModelZoo) private readonly zoo: ModelZoo,
    @Inject(RUN_SETTINGS) private readonly settings: RunSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GeneratorMetrics) private readonly metrics: GeneratorMetrics,
  ) {}

  async execute(): Promise<RunReport> {
    const { runId, warmupQueries: warmup, seed } = this.settings;
    // The records stream must exist for the records to be stored; the metrics store creates its consumer.
    await this.bus.ensureStream('records');
    const schedule = buildArrivalSchedule(this.scenario, { count: warmup + this.settings.queries, seed, rateScale: this.settings.rateScale });
    const total = schedule.count;
    const measured = Math.max(0, total - warmup);
    if (measured < this.settings.queries) {
      this.logger.warn(`the scenario's arrivals end after ${total} queries (finite traces): measuring ${measured} instead of ${this.settings.queries}`);
    }
    const factory = new QueryFactory(this.scenario, this.zoo, runId, seed);
    const publisher = new RecordPublisher(this.bus, this.clock, runId);
    await publisher.publishRun(this.started(measured));
    this.logger.log(`run ${runId}: ${total} queries (${warmup} warm-up) over ${factory.streamCount} arrival streams, scenario ${this.scenario.name}`);

    const progress = this.progressBar(total);
    const records: QueryRecord[] = [];
    let lost = 0;
    const inFlight: Promise<void>[] = [];
    const startAt = this.clock.now() + START_DELAY_MS;
    // Scenario time 0 is the instant the arrival schedule counts from, as in the simulator.
    const runClock = new RunClockAnnouncer(this.bus, this.clock, { runId, scenario: this.scenario.name, originAt: startAt });
    runClock.start();
    try {
      await paceQueries(schedule, this.clock, startAt, (i, stream, due) => {
        const { query, label } = factory.make(i, stream, due);
        const warmupQuery = i < warmup;
        inFlight.push(
          this.bus.request('scheduleQuery', query, this.settings.replyTimeoutMs).then(async (reply) => {
            const outcome: ReplyOutcome = reply.ok ? { kind: 'reply', reply: reply.reply } : reply.failure === 'timeout' ? { kind: 'timeout', detail: reply.message } : { kind: 'failure', detail: reply.message };
            const record = buildQueryRecord(queryEndOf(query, outcome, { completedAt: this.clock.now(), label, warmup: warmupQuery }, this.zoo));
            records.push(record);
            this.metrics.record(record);
            if (!(await publisher.publishQuery(record))) lost++;
            progress?.increment();
          }),
        );
      });
      await Promise.all(inFlight);
    } finally {
      runClock.finish();
    }
    progress?.stop();

    await publisher.publishRun({ schemaVersion: 1, kind: 'finished', runId, queryCount: total - lost, finishedAt: this.clock.now() });
    const report = buildRunReport({ runId, scenario: this.scenario.name, queries: measured, warmupQueries: warmup, recordsLost: lost }, records);
    if (this.settings.summaryFile) writeFileSync(this.settings.summaryFile, JSON.stringify(report, null, 2));
    return report;
  }

  private started(measured: number) {
    const s = this.settings;
    return {
      schemaVersion: 1 as const,
      kind: 'started' as const,
      runId: s.runId,
      scenario: this.scenario.name,
      ...(s.policy ? { policy: s.policy } : {}),
      seed: s.seed,
      codeVersion: s.codeVersion,
      parameters: { queries: measured, warmupQueries: s.warmupQueries, rateScale: s.rateScale, replyTimeoutMs: s.replyTimeoutMs, scenarioFile: this.scenario.origin },
      startedAt: this.clock.now(),
    };
  }

  private progressBar(total: number): cliProgress.SingleBar | undefined {
    const mode = this.settings.progress;
    if (mode === 'off' || (mode === 'auto' && !process.stderr.isTTY)) return undefined;
    const bar = new cliProgress.SingleBar(
      { format: 'queries [{bar}] {percentage}% | {value}/{total} | eta {eta}s', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return bar;
  }
}
