import { z } from 'zod';
import { POLICY_NAMES } from '@aset/scheduling';
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
} as const;

export type SchedulerEnv = z.infer<z.ZodObject<typeof SCHEDULER_ENV>>;

export const validateSchedulerEnv = envValidator('scheduler', SCHEDULER_ENV);
