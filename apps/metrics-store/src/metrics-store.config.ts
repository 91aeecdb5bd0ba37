import { z } from 'zod';
import { isIP } from 'node:net';
import { BASE_ENV, ConfigurationError, envValidator } from '@aset/service-kit';

/** Shortest accepted REPORTS_TOKEN. */
export const REPORTS_TOKEN_MIN_LENGTH = 32;

export const METRICS_STORE_ENV = {
  ...BASE_ENV,
  HTTP_PORT: BASE_ENV.HTTP_PORT.default(8080),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'not a PostgreSQL URL')
    .describe('a PostgreSQL URL, e.g. postgres://user:password@127.0.0.1:5432/aset'),
  REPORTS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'not a PostgreSQL URL')
    .optional()
    .describe(`a PostgreSQL URL of a login that is a member of the reporting role (docs/reporting.md), e.g. postgres://aset_reports:password@127.0.0.1:5432/aset; unset: the reports read through DATABASE_URL's login, confined to the reporting role`),
  REPORTS_TOKEN: z
    .string()
    .min(REPORTS_TOKEN_MIN_LENGTH)
    .optional()
    .describe(`a secret of at least ${REPORTS_TOKEN_MIN_LENGTH} characters (e.g. openssl rand -hex 32) that clients of the reports API and dashboard send as Authorization: Bearer <token>; required when HTTP_HOST is not a loopback address`),
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

const validateShape = envValidator('metrics-store', METRICS_STORE_ENV);

/**
 * The metrics store's environment, validated. Besides each variable's form: the reports API and
 * dashboard are open only on a loopback HTTP_HOST; bound elsewhere, REPORTS_TOKEN is required.
 * An empty REPORTS_TOKEN or REPORTS_DATABASE_URL counts as unset.
 */
export function validateMetricsStoreEnv(env: Record<string, unknown>): MetricsStoreEnv {
  const unsetIfEmpty = (name: string) => (env[name] === '' ? undefined : env[name]);
  const config = validateShape({ ...env, REPORTS_TOKEN: unsetIfEmpty('REPORTS_TOKEN'), REPORTS_DATABASE_URL: unsetIfEmpty('REPORTS_DATABASE_URL') });
  if (!config.REPORTS_TOKEN && !isLoopbackHost(config.HTTP_HOST)) {
    throw new ConfigurationError(
      `invalid configuration for metrics-store:\n  REPORTS_TOKEN is not set: required because HTTP_HOST ${JSON.stringify(config.HTTP_HOST)} is not a loopback address (the reports API and dashboard would be open to the network); expected ${METRICS_STORE_ENV.REPORTS_TOKEN.description}`,
    );
  }
  return config;
}

/** Whether `host` names only this machine: `localhost`, an address of 127.0.0.0/8 (also IPv4-mapped), or `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}
