import { z } from 'zod';
import { DEFAULT_MISSED_HEARTBEATS, DEFAULT_SAFETY_TIERS, POLICY_NAMES, parseSafetyTiers } from '@aset/scheduling';
import { BASE_ENV, SCENARIO_ENV, envValidator } from '@aset/service-kit';

export const SCHEDULER_ENV = {
  ...BASE_ENV,
  ...SCENARIO_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8081),
  SCHEDULER_POLICY: z
    .enum(POLICY_NAMES as [string, ...string[]])
    .default('closest')
    .describe(`a registered policy: ${POLICY_NAMES.join(', ')}`),
  SEED: z.coerce.number().int().default(1).describe('an integer seed for randomized policies'),
  ASET_CHECKPOINT: z.string().min(1).optional().describe('path to a checkpoint written by npm run train (required by the aset and aset-direct policies)'),
  ASET_ONLINE_LEARNING: z.enum(['true', 'false']).default('false').transform((v) => v === 'true').describe('true or false: keep training the ASET agent on live outcomes'),
  ASET_SAFETY_TIERS: z
    .string()
    .default(DEFAULT_SAFETY_TIERS.join(','))
    .transform((v, ctx) => {
      try {
        return parseSafetyTiers(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    })
    .describe('aset-direct safety shield: off, or comma-separated jitter sigmas, most confident first'),
  HEARTBEAT_MS: z.coerce.number().int().min(50).max(60_000).default(500).describe("the workers' heartbeat period in ms (their HEARTBEAT_MS), an integer 50-60000"),
  LIVENESS_MISSED_HEARTBEATS: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_MISSED_HEARTBEATS)
    .describe('heartbeats a cluster may miss before the scheduler holds it to be down, a positive integer'),
  ADMISSION: z
    .enum(['on', 'off'])
    .default('off')
    .transform((v) => v === 'on')
    .describe('on or off: drop at once, with DEADLINE_UNREACHABLE, a query that no live cluster can answer by its deadline (the simulator\'s admission option)'),
  ASET_ONLINE_EPSILON: z.coerce.number().min(0).max(1).default(0.02).describe('exploration rate of online learning, a number in [0, 1]'),
} as const;

export type SchedulerEnv = z.infer<z.ZodObject<typeof SCHEDULER_ENV>>;

export const validateSchedulerEnv = envValidator('scheduler', SCHEDULER_ENV);
