import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { POLICY_LAB_SCENARIO } from '@aset/scenario/testing';

/** NATS for tests (set by the vitest global setup). */
export function testNatsUrl(): string {
  const url = process.env['ASET_TEST_NATS_URL'];
  if (!url) throw new Error('ASET_TEST_NATS_URL is not set: run tests through vitest (its global setup provides NATS)');
  return url;
}

/**
 * Sets the environment an in-process service test needs (test NATS, its own subject prefix, the
 * policy-lab test scenario and the repository's zoo, quiet logs) plus `extra`. Call before importing the service's
 * root module: ConfigModule reads the environment when the module is defined.
 */
export function useServiceTestEnv(prefix: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    NATS_URL: testNatsUrl(),
    NATS_PREFIX: prefix,
    SCENARIO_FILE: POLICY_LAB_SCENARIO,
    MODELS_MANIFEST: REPO_MANIFEST,
    LOG_LEVEL: 'error',
    ...extra,
  });
}

/**
 * A service's app as `runService` builds it: the environment validated once with `validateEnv`, the
 * root module from `forRoot(config)`; created but not initialised (call `init()` or `listen()`),
 * logging errors only. Set the environment first ({@link useServiceTestEnv}) and import the service's
 * config and module after that: ConfigModule reads the environment when the module is defined.
 */
export async function createServiceApp<E>(validateEnv: (env: Record<string, unknown>) => E, forRoot: (config: E) => DynamicModule): Promise<INestApplication> {
  return NestFactory.create(forRoot(validateEnv(process.env)), { logger: ['error'], abortOnError: false });
}

function adminUrl(): string {
  const url = process.env['ASET_TEST_DATABASE_URL'];
  if (!url) throw new Error('ASET_TEST_DATABASE_URL is not set: run tests through vitest (its global setup provides PostgreSQL)');
  return url;
}

/** A fresh database on the test server; drop it with {@link dropTestDatabase}. */
export async function createTestDatabase(label = 'test'): Promise<{ name: string; url: string }> {
  const name = `aset_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return { name, url: u.toString() };
}

export async function dropTestDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * The value of the Prometheus sample `name` whose labels include `labels` (any order, other labels
 * ignored), summed when several samples match; undefined when none does.
 */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1] as string, l[2] as string]));
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

/**
 * What Prometheus's linter (`promtool check metrics`, Debian's `prometheus` package) finds in an
 * exposition, one line per finding, only those about ASET's own metrics (`aset_*`; Node.js process
 * metrics are prom-client's). Undefined when promtool is not installed (`npm test` installs it where
 * it can); throws when promtool cannot read the exposition at all.
 */
export function promtoolFindings(exposition: string): string[] | undefined {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  if (result.error) throw result.error;
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim());
  if (lines.some((l) => l.startsWith('error while linting'))) throw new Error(`promtool could not read the exposition: ${lines.join(' ')}`);
  return lines.filter((l) => l.startsWith('aset_'));
}
