import { join } from 'node:path';
import { REPO_ROOT } from '@aset/command-line';
import type { Say } from './managed.service.js';
import { provideNats } from './nats.server.js';
import { ensureDatabase, providePostgres } from './postgres.server.js';

/** The NATS and PostgreSQL a tool's live testbed runs on, and how to stop what was started for it. */
export interface TestbedServers {
  natsUrl: string;
  databaseUrl: string;
  /**
   * The processes of the servers this call started on this host (undefined for one configured from
   * the environment): the nats-server, and PostgreSQL's postmaster (the parent of its backends).
   */
  readonly pids: { readonly nats: number | undefined; readonly postmaster: number | undefined };
  /** Stops what this call started (PostgreSQL, then NATS); what was configured is left running. */
  stop(): Promise<void>;
}

/**
 * NATS from NATS_URL, or a private nats-server with JetStream storing under `stateDir`; PostgreSQL
 * from DATABASE_URL, or the repository's embedded server (`.testbed/postgres`, database `aset`),
 * as the benches, the sweep and `validate:sim` run their live testbeds. A failure to provide
 * PostgreSQL stops the NATS server this call started before it rejects.
 */
export async function provideTestbedServers(options: { stateDir: string; say: Say }): Promise<TestbedServers> {
  const nats = await provideNats({ env: process.env['NATS_URL'], dataDir: join(options.stateDir, 'nats'), say: options.say });
  try {
    const postgres = await providePostgres({ env: process.env['DATABASE_URL'], dataDir: join(REPO_ROOT, '.testbed', 'postgres'), say: options.say });
    try {
      const databaseUrl = postgres.started ? await ensureDatabase(postgres.url, 'aset') : postgres.url;
      return {
        natsUrl: nats.url,
        databaseUrl,
        pids: {
          nats: nats.pid,
          get postmaster() {
            return postgres.pid;
          },
        },
        stop: async () => {
          await postgres.stop().catch(() => {});
          await nats.stop();
        },
      };
    } catch (e) {
      await postgres.stop().catch(() => {});
      throw e;
    }
  } catch (e) {
    await nats.stop().catch(() => {});
    throw e;
  }
}
