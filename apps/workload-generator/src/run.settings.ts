import { randomBytes } from 'node:crypto';
import type { RunPart } from '@aset/contracts';
import type { Scenario } from '@aset/scenario';
import { ConfigurationError } from '@aset/service-kit';
import type { GeneratorEnv } from './generator.config.js';

/** How far ahead RUN_START_AT may be, ms. */
export const MAX_START_AHEAD_MS = 10 * 60_000;

/** A run's settings: the validated environment, with the scenario's workload as default. */
export interface RunSettings {
  readonly runId: string;
  /** Measured queries requested (finite traces may end sooner). */
  readonly queries: number;
  readonly warmupQueries: number;
  readonly seed: number;
  readonly rateScale: number;
  readonly replyTimeoutMs: number;
  /** Label of the scheduler policy under test, when the launcher knows it. */
  readonly policy: string | undefined;
  readonly codeVersion: string;
  readonly progress: GeneratorEnv['PROGRESS'];
  readonly summaryFile: string | undefined;
  /** The scenario sources whose arrivals this generator emits (SOURCES); undefined: all of them. */
  readonly sources: readonly string[] | undefined;
  /** This generator's part of a run split over several (RUN_PARTS > 1); undefined for a run of one generator. */
  readonly part: RunPart | undefined;
  /** Epoch ms of the run's scenario time 0 (RUN_START_AT); undefined: as soon as the run has started. */
  readonly startAt: number | undefined;
  /** Where the final metrics are pushed (PUSHGATEWAY_URL); undefined: nowhere. */
  readonly pushgatewayUrl: string | undefined;
}

/** Injection token of the generator's {@link RunSettings}. */
export const RUN_SETTINGS = Symbol('RUN_SETTINGS');

/**
 * The settings of a run from the validated environment; `now` (epoch ms) names a run that RUN_ID does
 * not. Throws ConfigurationError when SOURCES names a source the scenario lacks, or one twice, or when
 * RUN_START_AT is not ahead of `now` or more than {@link MAX_START_AHEAD_MS} ahead.
 */
export function runSettingsOf(env: GeneratorEnv, scenario: Scenario, now: number): RunSettings {
  const workload = scenario.spec.workload;
  const sources = env.SOURCES === undefined ? undefined : checkedSources(env.SOURCES, scenario);
  if (env.RUN_START_AT !== undefined) checkStartAt(env.RUN_START_AT, now);
  return {
    runId: env.RUN_ID ?? generatedRunId(now),
    queries: env.QUERIES ?? workload.queries,
    warmupQueries: env.WARMUP_QUERIES ?? workload.warmupQueries,
    seed: env.SEED ?? workload.seed,
    rateScale: env.RATE_SCALE,
    replyTimeoutMs: env.REPLY_TIMEOUT_MS ?? workload.replyTimeoutMs,
    policy: env.RUN_POLICY,
    codeVersion: env.ASET_CODE_VERSION,
    progress: env.PROGRESS,
    summaryFile: env.SUMMARY_FILE,
    sources,
    // validateGeneratorEnv requires RUN_PART and SOURCES when RUN_PARTS > 1.
    part: env.RUN_PARTS > 1 ? { id: env.RUN_PART as string, count: env.RUN_PARTS, sources: [...(sources ?? [])] } : undefined,
    startAt: env.RUN_START_AT,
    pushgatewayUrl: env.PUSHGATEWAY_URL,
  };
}

function checkedSources(ids: readonly string[], scenario: Scenario): string[] {
  const known = scenario.sources.map((s) => s.id);
  const seen = new Set<string>();
  for (const id of ids) {
    const problem = !known.includes(id) ? `"${id}" is not a source of scenario ${scenario.name}` : seen.has(id) ? `"${id}" is listed twice` : undefined;
    if (problem) throw new ConfigurationError(`invalid configuration for workload-generator:\n  SOURCES is "${ids.join(',')}": ${problem}; expected comma-separated sources of the scenario, each at most once: ${known.join(', ')}`);
    seen.add(id);
  }
  return [...ids];
}

function checkStartAt(startAt: number, now: number): void {
  const at = `RUN_START_AT is ${startAt} (${new Date(startAt).toISOString()})`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (startAt <= now) {
    throw new ConfigurationError(`invalid configuration for workload-generator:\n  ${at}: already ${seconds(now - startAt)} in the past; expected the run's start, ahead of every part's start and at most 10 minutes ahead`);
  }
  if (startAt - now > MAX_START_AHEAD_MS) {
    throw new ConfigurationError(`invalid configuration for workload-generator:\n  ${at}: ${seconds(startAt - now)} ahead, ${seconds(startAt - now - MAX_START_AHEAD_MS)} more than 10 minutes; expected at most 10 minutes ahead`);
  }
}

/** `run-<UTC yyyymmddhhmmss of now>-<6 random hex digits>`. */
export function generatedRunId(now: number): string {
  return `run-${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}
