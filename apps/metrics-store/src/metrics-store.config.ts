import { z } from 'zod';
import { BASE_ENV, envValidator } from '@aset/service-kit';

export const METRICS_STORE_ENV = {
  ...BASE_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8080),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'not a PostgreSQL URL')
    .describe('a PostgreSQL URL, e.g. postgres://user:password@127.0.0.1:5432/aset'),
  INGEST_MAX_BATCH: z.coerce.number().int().min(1).max(50_000).default(5_000).describe('most records in one write transaction, an integer 1-50000'),
  INGEST_PULL_AHEAD: z.coerce
    .number()
    .int()
    .min(1)
    .max(20_000)
    .default(10_000)
    .describe("messages requested ahead from JetStream, an integer 1-20000 (the durable consumer's max_ack_pending)"),
  INGEST_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(8).default(2).describe('batches written concurrently, an integer 1-8'),
} as const;

export type MetricsStoreEnv = z.infer<z.ZodObject<typeof METRICS_STORE_ENV>>;

export const validateMetricsStoreEnv = envValidator('metrics-store', METRICS_STORE_ENV);
