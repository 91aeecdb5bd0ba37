import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { setUpReportsHttp } from '../src/api/reports-http.setup.js';
import { createServiceApp, createTestDatabase, dropTestDatabase, testNatsUrl } from '@aset/service-kit/testing';

/** A metrics store running in process on its own database and subject prefix, with a bus and a SQL client for the test. */
export interface StoreHarness {
  app: INestApplication;
  /** Base URL of its HTTP server. */
  base: string;
  /** The test's own connection to NATS, on the store's prefix. */
  bus: MessageBus;
  /** The test's own connection to the store's database. */
  sql: pg.Client;
  /** Publishes any payload over core NATS from a plain client (e.g. invalid messages), and flushes. */
  publishRaw(subject: string, payload: string): Promise<void>;
  /** Publishes any payload to JetStream from a plain client, waiting for the server's ack. */
  publishRawDurable(subject: string, payload: string): Promise<void>;
  prefix: string;
  /** Shuts the store down (as on SIGTERM); the database stays. */
  stop(): Promise<void>;
  /** Stops the store, deletes its stream and drops its database. */
  close(): Promise<void>;
}

/** Variables a test may set on the store; those it leaves out are unset. */
export type StoreEnv = { REPORTS_TOKEN?: string; REPORTS_DATABASE_URL?: string };

/**
 * Starts the metrics store module in process against the test NATS and a fresh test database,
 * listening on 127.0.0.1; `env` adds variables, or computes them from the fresh database before the
 * store starts (e.g. to migrate it and create logins). A store that fails to start leaves nothing
 * behind (its database is dropped) and rejects with its error. Sets the environment first: the root
 * module reads it when imported, so import it only here.
 */
export async function startStore(label: string, env: StoreEnv | ((database: { name: string; url: string }) => Promise<StoreEnv>) = {}): Promise<StoreHarness> {
  const prefix = uniqueTestPrefix(label);
  const database = await createTestDatabase(label);
  const bus = await MessageBus.connect({ servers: testNatsUrl(), name: `${label}-test`, prefix, logger: silentBusLogger });
  const raw: NatsConnection = await connect({ servers: testNatsUrl(), name: `${label}-raw` });
  let app: INestApplication;
  try {
    await bus.ensureStream('records');
    const extra = typeof env === 'function' ? await env(database) : env;
    Object.assign(process.env, { NATS_URL: testNatsUrl(), NATS_PREFIX: prefix, DATABASE_URL: database.url, LOG_LEVEL: 'error', REPORTS_TOKEN: '', REPORTS_DATABASE_URL: '', ...extra });
    const { validateMetricsStoreEnv } = await import('../src/metrics-store.config.js');
    const { MetricsStoreModule } = await import('../src/metrics-store.module.js');
    app = await createServiceApp(validateMetricsStoreEnv, (config) => MetricsStoreModule.forRoot(config));
  } catch (e) {
    await bus.deleteStream('records').catch(() => false);
    await bus.close();
    await raw.close();
    await dropTestDatabase(database.name);
    throw e;
  }
  setUpReportsHttp(app);
  await app.listen(0, '127.0.0.1');
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= app.close());
  return {
    app,
    base: await app.getUrl(),
    bus,
    sql,
    async publishRaw(subject, payload) {
      raw.publish(subject, payload);
      await raw.flush();
    },
    async publishRawDurable(subject, payload) {
      await jetstream(raw).publish(subject, payload);
    },
    prefix,
    stop,
    async close() {
      await sql.end();
      await stop();
      await bus.deleteStream('records').catch(() => false);
      await bus.close();
      await raw.close();
      await dropTestDatabase(database.name);
    },
  };
}
