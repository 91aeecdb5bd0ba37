import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { SUBJECT_PREFIX } from '@aset/contracts';
import { readNkeySeedFile } from '@aset/messaging';

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
  NATS_NKEY_SEED_FILE: z
    .string()
    .min(1)
    .optional()
    .transform((file, ctx) => {
      if (file === undefined) return undefined;
      try {
        return readNkeySeedFile(file);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
        return z.NEVER;
      }
    })
    .describe('the nkey seed file of this service\'s NATS user (<service>.nk from npm run nats:credentials); unset: no authentication'),
  NATS_TLS_CA: pemFile('CERTIFICATE').describe('PEM file of the CA that signed the NATS server\'s certificate; set: connect over TLS'),
  NATS_TLS_CERT: pemFile('CERTIFICATE').describe('PEM file of this service\'s TLS client certificate (with NATS_TLS_KEY and NATS_TLS_CA)'),
  NATS_TLS_KEY: pemFile('PRIVATE KEY').describe('PEM file of the private key of NATS_TLS_CERT'),
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

/** An optional path to a readable PEM file holding a `-----BEGIN ...<kind>-----` block. */
function pemFile(kind: string) {
  return z
    .string()
    .min(1)
    .optional()
    .superRefine((file, ctx) => {
      if (file === undefined) return;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
        return;
      }
      if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) ctx.addIssue({ code: 'custom', message: `${file} holds no PEM ${kind}` });
    });
}

/** The TLS client options of NATS_TLS_*, or an issue naming the variables that do not go together. */
function natsTlsIssue(env: Record<string, unknown>): string | undefined {
  const [ca, cert, key] = [env['NATS_TLS_CA'], env['NATS_TLS_CERT'], env['NATS_TLS_KEY']];
  if ((cert === undefined) !== (key === undefined)) return '  NATS_TLS_CERT and NATS_TLS_KEY: set both (a client certificate and its key) or neither';
  if (cert !== undefined && ca === undefined) return '  NATS_TLS_CERT is set without NATS_TLS_CA: a client certificate needs the CA that verifies the server';
  return undefined;
}

/**
 * Builds the `validate` function for `ConfigModule.forRoot`: parses `process.env` with the given
 * shape and throws ConfigurationError naming each bad variable, what it got and the expected form.
 */
export function envValidator<S extends z.ZodRawShape>(service: string, shape: S): (env: Record<string, unknown>) => z.infer<z.ZodObject<S>> {
  const schema = z.object(shape);
  return (env) => {
    const parsed = schema.safeParse(env);
    if (parsed.success) {
      const tls = 'NATS_TLS_CA' in shape ? natsTlsIssue(parsed.data) : undefined;
      if (tls) throw new ConfigurationError(`invalid configuration for ${service}:\n${tls}`);
      return parsed.data;
    }
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
