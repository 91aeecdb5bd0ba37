import { z } from 'zod';
import { Identifier } from '@aset/contracts';
import { BASE_ENV, ConfigurationError, SCENARIO_ENV, envValidator } from '@aset/service-kit';

/** Comma-separated source ids (blanks around commas ignored), each an Identifier; checked against the scenario by `runSettingsOf`. */
const sourceIdList = z
  .string()
  .transform((list) => list.split(',').map((id) => id.trim()))
  .pipe(z.array(Identifier));

export const GENERATOR_ENV = {
  ...BASE_ENV,
  ...SCENARIO_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8082),
  RUN_ID: Identifier.optional().describe('a run id, 1-64 characters of [A-Za-z0-9_-] (default: generated)'),
  QUERIES: z.coerce.number().int().positive().optional().describe('measured queries, a positive integer (default: the scenario\'s workload.queries)'),
  WARMUP_QUERIES: z.coerce.number().int().nonnegative().optional().describe('warm-up queries, an integer >= 0 (default: the scenario\'s)'),
  RATE_SCALE: z.coerce.number().positive().default(1).describe('multiplier of every arrival rate, a number > 0'),
  SEED: z.coerce.number().int().optional().describe('an integer seed (default: the scenario\'s workload.seed)'),
  REPLY_TIMEOUT_MS: z.coerce.number().int().positive().optional().describe("ms to wait for a reply before recording timed_out, a positive integer (default: the scenario's workload.replyTimeoutMs)"),
  RUN_POLICY: z.string().min(1).max(64).optional().describe('label of the scheduler policy under test, stored with the run'),
  PROGRESS: z.enum(['auto', 'on', 'off']).default('auto').describe('auto (when stderr is a terminal), on or off'),
  SUMMARY_FILE: z.string().min(1).optional().describe('path to write the run summary as JSON'),
  PUSHGATEWAY_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("a Prometheus Pushgateway's http(s) URL, e.g. http://pushgateway:9091: the generator pushes its final metrics there (job aset-workload-generator, grouped by run_id and part) before it exits"),
  ASET_CODE_VERSION: z.string().max(100).default('dev').describe('code version stored with the run record, at most 100 characters'),
  SOURCES: sourceIdList.optional().describe('comma-separated ids of scenario sources (access points) whose arrivals this generator emits, each at most once, e.g. ap-1,ap-2 (default: all)'),
  RUN_PARTS: z.coerce.number().int().min(1).default(1).describe('how many generator processes make up the run (one per edge site, say), an integer >= 1'),
  RUN_PART: Identifier.optional().describe("this generator's part of the run, 1-64 characters of [A-Za-z0-9_-], e.g. site-1 (required when RUN_PARTS > 1)"),
  RUN_START_AT: z.coerce
    .number()
    .finite()
    .positive()
    .optional()
    .describe("epoch ms of the run's scenario time 0, shared by all its parts, at most 10 minutes ahead (required when RUN_PARTS > 1)"),
} as const;

export type GeneratorEnv = z.infer<z.ZodObject<typeof GENERATOR_ENV>>;

const validateGeneratorVariables = envValidator('workload-generator', GENERATOR_ENV);

/**
 * Validates the generator's environment: every variable's form, then that a run split over several
 * generators (RUN_PARTS > 1) names the run (RUN_ID), this part (RUN_PART), its sources (SOURCES)
 * and the shared clock (RUN_START_AT), and that RUN_PART is not set for a run of one generator. Whether SOURCES are the
 * scenario's, and whether RUN_START_AT is near enough, is checked when the run's settings are read
 * (`runSettingsOf`). Throws ConfigurationError naming the variables.
 */
export function validateGeneratorEnv(env: Record<string, unknown>): GeneratorEnv {
  const config = validateGeneratorVariables(env);
  const problems: string[] = [];
  if (config.RUN_PARTS > 1) {
    const why = `the run is split over RUN_PARTS=${config.RUN_PARTS} generators`;
    if (config.RUN_ID === undefined) problems.push(`RUN_ID is not set: ${why}, which must share one run id; expected a run id, 1-64 characters of [A-Za-z0-9_-]`);
    if (config.RUN_PART === undefined) problems.push(`RUN_PART is not set: ${why}; expected ${GENERATOR_ENV.RUN_PART.description}`);
    if (config.RUN_START_AT === undefined) problems.push(`RUN_START_AT is not set: ${why}, which must share one clock; expected ${GENERATOR_ENV.RUN_START_AT.description}`);
    if (config.SOURCES === undefined) problems.push(`SOURCES is not set: ${why}, each emitting its own sources; expected ${GENERATOR_ENV.SOURCES.description}`);
  } else if (config.RUN_PART !== undefined) {
    problems.push(`RUN_PART is "${config.RUN_PART}" but RUN_PARTS is 1: a part needs RUN_PARTS > 1 (the number of generators of the run)`);
  }
  if (problems.length > 0) throw new ConfigurationError(`invalid configuration for workload-generator:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return config;
}
