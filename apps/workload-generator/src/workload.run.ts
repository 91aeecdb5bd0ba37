import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import cliProgress from 'cli-progress';
import { encodeTensor, type InferenceQuery, type QueryRecord } from '@aset/contracts';
import { deriveSeed, type Clock } from '@aset/determinism';
import { MessageBus } from '@aset/messaging';
import { ModelZoo, loadHeldOut } from '@aset/model-zoo';
import { Scenario, type ApplicationSpec } from '@aset/scenario';
import { CLOCK } from '@aset/service-kit';
import { InputSampler, buildArrivalSchedule, buildQueryRecord, summarizeOutcomes, type RunReport } from '@aset/workload';
import type { GeneratorEnv } from './generator.config.js';
import { GeneratorMetrics } from './generator.metrics.js';

const PUBLISH_ATTEMPTS = 5;

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
    @Inject(ConfigService) private readonly config: ConfigService<GeneratorEnv, true>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GeneratorMetrics) private readonly metrics: GeneratorMetrics,
  ) {}

  async execute(): Promise<RunReport> {
    const env = (k: keyof GeneratorEnv) => this.config.get(k, { infer: true });
    const workload = this.scenario.spec.workload;
    const runId = (env('RUN_ID') as string | undefined) ?? `run-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
    const requested = (env('QUERIES') as number | undefined) ?? workload.queries;
    const warmup = (env('WARMUP_QUERIES') as number | undefined) ?? workload.warmupQueries;
    const seed = (env('SEED') as number | undefined) ?? workload.seed;
    const timeoutMs = env('REPLY_TIMEOUT_MS') as number;

    // The records stream must exist for the records to be stored; the metrics store creates its consumer.
    await this.bus.ensureStream('records');
    const schedule = buildArrivalSchedule(this.scenario, { count: warmup + requested, seed, rateScale: env('RATE_SCALE') as number });
    const total = schedule.count;
    const measured = Math.max(0, total - warmup);
    if (measured < requested) {
      this.logger.warn(`the scenario's arrivals end after ${total} queries (finite traces): measuring ${measured} instead of ${requested}`);
    }
    const samplers = new Map<string, InputSampler>();
    const samplerOf = (task: string): InputSampler => {
      let sampler = samplers.get(task);
      if (!sampler) {
        sampler = new InputSampler(loadHeldOut(this.zoo, task), deriveSeed(seed, `inputs:${task}`));
        samplers.set(task, sampler);
      }
      return sampler;
    };
    // The scenario parser checked that every arrival names a known application.
    const streams = workload.arrivals.map((a) => {
      const app = this.scenario.app(a.app) as ApplicationSpec;
      return { source: a.source, app, sampler: samplerOf(app.task) };
    });

    const policy = env('RUN_POLICY') as string | undefined;
    await this.bus.publishDurable('runRecord', { runId }, {
      schemaVersion: 1,
      kind: 'started',
      runId,
      scenario: this.scenario.name,
      ...(policy ? { policy } : {}),
      seed,
      codeVersion: process.env['ASET_CODE_VERSION'] ?? 'dev',
      parameters: { queries: measured, warmupQueries: warmup, rateScale: env('RATE_SCALE'), replyTimeoutMs: timeoutMs, scenarioFile: this.scenario.origin },
      startedAt: this.clock.now(),
    }, `${runId}.started`);
    this.logger.log(`run ${runId}: ${total} queries (${warmup} warm-up) over ${streams.length} arrival streams, scenario ${this.scenario.name}`);

    const progress = this.progressBar(total);
    const records: QueryRecord[] = [];
    let lost = 0;
    const inFlight: Promise<void>[] = [];
    const start = this.clock.now() + 20;

    for (let i = 0; i < total; i++) {
      const due = start + (schedule.offsetMs[i] as number);
      // Never early: timers may fire up to ~1 ms late, which the latency (counted from `due`) then includes.
      while (this.clock.now() < due) await this.clock.sleep(due - this.clock.now());
      const stream = streams[schedule.stream[i] as number] as (typeof streams)[number];
      const sampleIndex = stream.sampler.next();
      const { values, label } = stream.sampler.sample(sampleIndex);
      const query: InferenceQuery = {
        schemaVersion: 1,
        runId,
        queryId: `q${String(i).padStart(7, '0')}`,
        app: stream.app.id,
        source: stream.source,
        task: stream.app.task,
        input: encodeTensor(values, [1, ...stream.sampler.set.sampleShape]),
        slo: stream.app.slo,
        createdAt: due,
      };
      const isWarmup = i < warmup;
      inFlight.push(
        this.bus.request('scheduleQuery', query, timeoutMs).then(async (outcome) => {
          const completedAt = this.clock.now();
          const record = buildQueryRecord(
            query,
            label,
            outcome.ok ? { kind: 'reply', reply: outcome.reply } : outcome.failure === 'timeout' ? { kind: 'timeout', detail: outcome.message } : { kind: 'failure', detail: outcome.message },
            completedAt,
            this.zoo,
            isWarmup,
          );
          records.push(record);
          this.metrics.record(record);
          if (!(await this.publishRecord(record))) lost++;
          progress?.increment();
        }),
      );
    }
    await Promise.all(inFlight);
    progress?.stop();

    await this.bus.publishDurable('runRecord', { runId }, { schemaVersion: 1, kind: 'finished', runId, queryCount: total - lost, finishedAt: this.clock.now() }, `${runId}.finished`);
    const report = this.report(runId, records, measured, warmup, lost);
    const summaryFile = env('SUMMARY_FILE') as string | undefined;
    if (summaryFile) writeFileSync(summaryFile, JSON.stringify(report, null, 2));
    return report;
  }

  private async publishRecord(record: QueryRecord): Promise<boolean> {
    for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
      try {
        await this.bus.publishDurable('queryRecord', { runId: record.runId }, record, `${record.runId}.${record.queryId}`);
        return true;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        if (attempt === PUBLISH_ATTEMPTS) {
          this.logger.error(`record of ${record.queryId} NOT stored after ${attempt} attempts: ${why}`);
          return false;
        }
        await this.clock.sleep(100 * 2 ** attempt);
      }
    }
    return false;
  }

  private report(runId: string, records: QueryRecord[], measured: number, warmup: number, lost: number): RunReport {
    const kept = records.filter((r) => !r.warmup);
    const byVariant: RunReport['byVariant'] = {};
    let correct = 0;
    let completed = 0;
    for (const r of kept) {
      if (r.status !== 'completed' || r.variantId === null) continue;
      const v = (byVariant[r.variantId] ??= { completed: 0, correct: 0 });
      v.completed++;
      completed++;
      if (r.prediction === r.label) {
        v.correct++;
        correct++;
      }
    }
    return {
      runId,
      scenario: this.scenario.name,
      queries: measured,
      warmupQueries: warmup,
      recordsLost: lost,
      predictionAccuracy: completed ? correct / completed : 0,
      summary: summarizeOutcomes(kept),
      byVariant,
    };
  }

  private progressBar(total: number): cliProgress.SingleBar | undefined {
    const mode = this.config.get('PROGRESS', { infer: true });
    if (mode === 'off' || (mode === 'auto' && !process.stderr.isTTY)) return undefined;
    const bar = new cliProgress.SingleBar(
      { format: 'queries [{bar}] {percentage}% | {value}/{total} | eta {eta}s', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return bar;
  }
}
