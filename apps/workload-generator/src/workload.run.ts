import { writeFileSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import cliProgress from 'cli-progress';
import type { RunStarted } from '@aset/contracts';
import { CLOCK, type Clock } from '@aset/determinism';
import { MessageBus } from '@aset/messaging';
import { ModelZoo } from '@aset/model-zoo';
import { Scenario } from '@aset/scenario';
import { buildArrivalSchedule, buildQueryRecord, paceQueries, queryEndOf, RunReportBuilder, type ReplyOutcome, type RunReport } from '@aset/workload';
import { GeneratorMetrics } from './generator.metrics.js';
import { QueryFactory } from './query.factory.js';
import { RecordPublisher } from './record.publisher.js';
import { RunClockAnnouncer } from './run-clock.announcer.js';
import { RUN_SETTINGS, type RunSettings } from './run.settings.js';

/** Delay from the run's start to its first scheduled arrival, ms. */
const START_DELAY_MS = 20;

/**
 * One open-loop run (MLPerf LoadGen style): queries are sent at their scheduled times whatever
 * the replies do, and latency counts from the scheduled time. Every query ends in exactly one
 * record on JetStream; the run is bracketed by `started` / `finished` run records. A generator that
 * emits some sources only (SOURCES; one part of a run split over several, RUN_PARTS) sends the
 * whole run's queries of those sources, with the whole run's ids and due times.
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
    const { runId, warmupQueries: warmup, seed, part } = this.settings;
    // The records stream must exist for the records to be stored; the metrics store creates its consumer.
    await this.bus.ensureStream('records');
    // The whole run's schedule, whatever this generator emits: query i is the same in every part.
    const schedule = buildArrivalSchedule(this.scenario, { count: warmup + this.settings.queries, seed, rateScale: this.settings.rateScale });
    const measuredInRun = Math.max(0, schedule.count - warmup);
    if (measuredInRun < this.settings.queries) {
      this.logger.warn(`the scenario's arrivals end after ${schedule.count} queries (finite traces): measuring ${measuredInRun} instead of ${this.settings.queries}`);
    }
    const factory = new QueryFactory(this.scenario, this.zoo, runId, seed, schedule);
    const sources = this.settings.sources === undefined ? undefined : new Set(this.settings.sources);
    const emitted = Array.from({ length: factory.streamCount }, (_, stream) => sources === undefined || sources.has(factory.sourceOf(stream)));
    const emits = (stream: number) => emitted[stream] === true;
    let total = 0;
    let warmupSent = 0;
    for (let i = 0; i < schedule.count; i++) {
      if (!emits(schedule.stream[i] as number)) continue;
      total++;
      if (i < warmup) warmupSent++;
    }
    const publisher = new RecordPublisher(this.bus, this.clock, runId, part?.id);
    await publisher.publishRun(this.started(measuredInRun));
    const emitting = sources === undefined ? '' : `, sources ${[...sources].join(', ')}`;
    this.logger.log(`run ${runId}${part ? ` part ${part.id} of ${part.count}` : ''}: ${total} queries (${warmupSent} warm-up) over ${emitted.filter(Boolean).length} of ${factory.streamCount} arrival streams${emitting}, scenario ${this.scenario.name}`);

    const progress = this.progressBar(total);
    // The report counts each record as it ends; the records themselves go to JetStream, not kept here.
    const report = new RunReportBuilder();
    const inFlight: Promise<void>[] = [];
    // Scenario time 0 is the instant the arrival schedule counts from, as in the simulator; the parts of a split run share it (RUN_START_AT).
    const startAt = this.settings.startAt ?? this.clock.now() + START_DELAY_MS;
    if (this.clock.now() > startAt) this.logger.warn(`run ${runId} starts ${(this.clock.now() - startAt).toFixed(0)} ms after RUN_START_AT: its first queries go out late (their latency counts from their due time)`);
    const runClock = new RunClockAnnouncer(this.bus, this.clock, { runId, scenario: this.scenario.name, originAt: startAt, ...(part ? { part } : {}) });
    runClock.start();
    let lost: number;
    try {
      await paceQueries(
        schedule,
        this.clock,
        startAt,
        (i, _stream, due) => {
          const { query, label } = factory.make(i, due);
          const warmupQuery = i < warmup;
          inFlight.push(
            this.bus.request('scheduleQuery', query, this.settings.replyTimeoutMs).then((reply) => {
              const outcome: ReplyOutcome = reply.ok ? { kind: 'reply', reply: reply.reply } : reply.failure === 'timeout' ? { kind: 'timeout', detail: reply.message } : { kind: 'failure', detail: reply.message };
              const record = buildQueryRecord(queryEndOf(query, outcome, { completedAt: this.clock.now(), label, warmup: warmupQuery }, this.zoo));
              report.add(record);
              this.metrics.record(record);
              publisher.queueQuery(record);
              progress?.increment();
            }),
          );
        },
        emits,
      );
      await Promise.all(inFlight);
      lost = await publisher.settled();
    } finally {
      runClock.finish();
    }
    progress?.stop();

    const generatorMetrics = await this.metrics.finalMetrics();
    await publisher.publishRun({ schemaVersion: 1, kind: 'finished', runId, queryCount: total - lost, finishedAt: this.clock.now(), ...(part ? { part } : {}), generatorMetrics });
    if (this.settings.pushgatewayUrl) {
      // The run's record already holds these metrics: a Pushgateway that is down costs a warning, not the run.
      await this.metrics.push(this.settings.pushgatewayUrl, runId, part).then(
        () => this.logger.log(`run ${runId}: final metrics pushed to ${this.settings.pushgatewayUrl}`),
        (e: unknown) => this.logger.warn(e instanceof Error ? e.message : String(e)),
      );
    }
    const built = report.build({ runId, scenario: this.scenario.name, queries: total - warmupSent, warmupQueries: warmupSent, recordsLost: lost, ...(part ? { part } : {}) });
    if (this.settings.summaryFile) writeFileSync(this.settings.summaryFile, JSON.stringify(built, null, 2));
    return built;
  }

  /** The run's `started` record (of this part, for a split run); `parameters` are the whole run's. */
  private started(measuredInRun: number): RunStarted {
    const s = this.settings;
    return {
      schemaVersion: 1,
      kind: 'started',
      runId: s.runId,
      scenario: this.scenario.name,
      ...(s.policy ? { policy: s.policy } : {}),
      seed: s.seed,
      codeVersion: s.codeVersion,
      parameters: {
        queries: measuredInRun,
        warmupQueries: s.warmupQueries,
        rateScale: s.rateScale,
        replyTimeoutMs: s.replyTimeoutMs,
        scenarioFile: this.scenario.origin,
        // A run of one generator that emits some sources only.
        ...(s.sources && !s.part ? { sources: [...s.sources] } : {}),
      },
      // A run with RUN_START_AT starts at its scenario time 0 (its parts' records are published ahead of it).
      startedAt: s.startAt ?? this.clock.now(),
      ...(s.part ? { part: s.part } : {}),
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
