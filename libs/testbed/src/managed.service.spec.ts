import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { provideNats } from './nats.server.js';
import { ensureDatabase, providePostgres } from './postgres.server.js';

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aset-managed-'));
  chmodSync(dir, 0o755);
  return dir;
}

describe('managed services (what `npm run demo` starts when NATS_URL / DATABASE_URL are unset)', () => {
  it('uses a configured URL as is and starts nothing', async () => {
    const nats = await provideNats({ env: 'nats://example:4222', dataDir: scratch(), say: () => {} });
    expect(nats).toMatchObject({ url: 'nats://example:4222', started: false });
    const db = await providePostgres({ env: 'postgres://u@h/db', dataDir: scratch(), say: () => {} });
    expect(db).toMatchObject({ url: 'postgres://u@h/db', started: false });
  });

  it('starts a private nats-server with JetStream and stops it', async () => {
    const said: string[] = [];
    const nats = await provideNats({ env: undefined, dataDir: join(scratch(), 'nats'), say: (m) => said.push(m) });
    expect(nats.started).toBe(true);
    const nc = await connect({ servers: nats.url });
    const info = await (await jetstreamManager(nc)).getAccountInfo();
    expect(info.limits).toBeDefined();
    await nc.close();
    await nats.stop();
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow();
    expect(said.join('\n')).toMatch(/started nats-server \(JetStream\)/);
  });

  it('starts an embedded PostgreSQL, creates a database idempotently, and stops it', async () => {
    const dir = join(scratch(), 'pg');
    const server = await providePostgres({ env: undefined, dataDir: dir, say: () => {} });
    try {
      const url = await ensureDatabase(server.url, 'aset_probe');
      expect(await ensureDatabase(server.url, 'aset_probe')).toBe(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('SELECT current_database() AS db, version() AS v');
      await client.end();
      expect(rows[0]).toMatchObject({ db: 'aset_probe' });
      expect(rows[0].v).toMatch(/^PostgreSQL 1[5-9]/);
    } finally {
      await server.stop();
    }
    await expect(ensureDatabase(server.url, 'Bad-Name')).rejects.toThrow(/must be 1-63 characters/);
  });
});
