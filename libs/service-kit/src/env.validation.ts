import { z } from 'zod';
import { SUBJECT_PREFIX } from '@aset/contracts';

/** Raised when the environment is invalid; its message names every bad variable and its expected form. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** Variables every service reads. Each `.describe()` is the expected form printed on error. */
export const BASE_ENV = {
  NATS_URL: z
    .string()
    .regex(/^(nats|tls|ws|wss):\/\/[^\s,]+(,(nats|tls|ws|wss):\/\/[^\s,]+)*$/, 'not a NATS URL')
    .default('nats://127.0.0.1:4222')
    .describe('NATS server URL(s), e.g. nats://127.0.0.1:4222 (comma-separated for several)'),
  NATS_PREFIX: z
    .string()
    .regex(SUBJECT_PREFIX, 'not a subject prefix')
    .default('aset')
    .describe('subject prefix: dot-separated tokens of [A-Za-z0-9_-], e.g. aset'),
  HTTP_HOST: z.string().min(1).default('127.0.0.1').describe('interface for /health and /metrics, e.g. 0.0.0.0'),
  HTTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .describe('TCP port for /health and /metrics, an integer 0-65535 (0 picks a free one)'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log').describe('one of error, warn, log, debug, verbose'),
  LOG_FORMAT: z.enum(['text', 'json']).default('text').describe('text or json'),
} as const;

const SECRET = /URL|PASSWORD|SECRET|TOKEN/;

/**
 * Builds the `validate` function for `ConfigModule.forRoot`: parses `process.env` with the given
 * shape and throws ConfigurationError naming each bad variable, what it got and the expected form.
 */
export function envValidator<S extends z.ZodRawShape>(service: string, shape: S): (env: Record<string, unknown>) => z.infer<z.ZodObject<S>> {
  const schema = z.object(shape);
  return (env) => {
    const parsed = schema.safeParse(env);
    if (parsed.success) return parsed.data;
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const field = shape[name] as z.ZodType | undefined;
      const expected = descriptionOf(field) ?? issue.message;
      const raw = env[name];
      const got = raw === undefined ? 'is not set' : `is ${SECRET.test(name) ? '(hidden)' : JSON.stringify(raw)}`;
      return `  ${name} ${got}: ${issue.message}; expected ${expected}`;
    });
    throw new ConfigurationError(`invalid configuration for ${service}:\n${lines.join('\n')}`);
  };
}

/** The `.describe()` text of a field, looking through `.default()` / `.optional()` wrappers. */
function descriptionOf(field: z.ZodType | undefined): string | undefined {
  let f: z.ZodType | undefined = field;
  while (f) {
    if (f.description) return f.description;
    const inner: unknown = (f.def as { innerType?: unknown }).innerType;
    f = inner instanceof z.ZodType ? inner : undefined;
  }
  return undefined;
}

export type BaseEnv = z.infer<z.ZodObject<typeof BASE_ENV>>;
