import { z } from 'zod';
import { BASE_ENV, envValidator } from '@aset/service-kit';

export const SLO_ALERTER_ENV = {
  ...BASE_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8083),
  SLO_WINDOW: z.coerce.number().int().min(10).max(100_000).default(200).describe('measured queries per (run, app) window, an integer 10-100000'),
  SLO_MIN_SUCCESS: z.coerce.number().gt(0).max(1).default(0.9).describe('the success ratio below which an alert fires, a number in (0, 1]'),
} as const;

export type SloAlerterEnv = z.infer<z.ZodObject<typeof SLO_ALERTER_ENV>>;

export const validateSloAlerterEnv = envValidator('slo-alerter', SLO_ALERTER_ENV);
