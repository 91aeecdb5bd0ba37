import { randomBytes } from 'node:crypto';
import type { Scenario } from '@aset/scenario';
import type { GeneratorEnv } from './generator.config.js';

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
}

/** Injection token of the generator's {@link RunSettings}. */
export const RUN_SETTINGS = Symbol('RUN_SETTINGS');

/** The settings of a run from the validated environment; `now` (epoch ms) names a run that RUN_ID does not. */
export function runSettingsOf(env: GeneratorEnv, scenario: Scenario, now: number): RunSettings {
  const workload = scenario.spec.workload;
  return {
    runId: env.RUN_ID ?? generatedRunId(now),
    queries: env.QUERIES ?? workload.queries,
    warmupQueries: env.WARMUP_QUERIES ?? workload.warmupQueries,
    seed: env.SEED ?? workload.seed,
    rateScale: env.RATE_SCALE,
    replyTimeoutMs: env.REPLY_TIMEOUT_MS,
    policy: env.RUN_POLICY,
    codeVersion: env.ASET_CODE_VERSION,
    progress: env.PROGRESS,
    summaryFile: env.SUMMARY_FILE,
  };
}

/** `run-<UTC yyyymmddhhmmss of now>-<6 random hex digits>`. */
export function generatedRunId(now: number): string {
  return `run-${new Date(now).toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}
