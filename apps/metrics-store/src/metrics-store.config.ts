import { z } from 'zod';
import { BASE_ENV, envValidator } from '@aset/service-kit';

export const METRICS_STORE_ENV = {
  ...BASE_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8080),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'not a PostgreSQL URL')
    .describe('a PostgreSQL URL, e.g. postgres://user:password@127.0.0.1:5432/aset'),
} as const;

export type MetricsStoreEnv = z.infer<z.ZodObject<typeof METRICS_STORE_ENV>>;

export const validateMetricsStoreEnv = envValidator('metrics-store', METRICS_STORE_ENV);
