import { z } from 'zod';
import { Identifier } from '@aset/contracts';
import { BASE_ENV, SCENARIO_ENV, envValidator } from '@aset/service-kit';

export const GENERATOR_ENV = {
  ...BASE_ENV,
  ...SCENARIO_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8082),
  RUN_ID: Identifier.optional().describe('a run id, 1-64 characters of [A-Za-z0-9_-] (default: generated)'),
  QUERIES: z.coerce.number().int().positive().optional().describe('measured queries, a positive integer (default: the scenario\'s workload.queries)'),
  WARMUP_QUERIES: z.coerce.number().int().nonnegative().optional().describe('warm-up queries, an integer >= 0 (default: the scenario\'s)'),
  RATE_SCALE: z.coerce.number().positive().default(1).describe('multiplier of every arrival rate, a number > 0'),
  SEED: z.coerce.number().int().optional().describe('an integer seed (default: the scenario\'s workload.seed)'),
  REPLY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000).describe('ms to wait for a reply before recording timed_out'),
  RUN_POLICY: z.string().min(1).max(64).optional().describe('label of the scheduler policy under test, stored with the run'),
  PROGRESS: z.enum(['auto', 'on', 'off']).default('auto').describe('auto (when stderr is a terminal), on or off'),
  SUMMARY_FILE: z.string().min(1).optional().describe('path to write the run summary as JSON'),
  ASET_CODE_VERSION: z.string().max(100).default('dev').describe('code version stored with the run record, at most 100 characters'),
} as const;

export type GeneratorEnv = z.infer<z.ZodObject<typeof GENERATOR_ENV>>;

export const validateGeneratorEnv = envValidator('workload-generator', GENERATOR_ENV);
