import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { provideTestbedServers } from './testbed-servers.provider.js';

describe('provideTestbedServers', () => {
  const saved = { nats: process.env['NATS_URL'], db: process.env['DATABASE_URL'] };
  afterEach(() => {
    for (const [key, value] of [['NATS_URL', saved.nats], ['DATABASE_URL', saved.db]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('uses NATS_URL and DATABASE_URL as they are, and its stop leaves them alone', async () => {
    process.env['NATS_URL'] = 'nats://example:4222';
    process.env['DATABASE_URL'] = 'postgres://u@h/db';
    const servers = await provideTestbedServers({ stateDir: mkdtempSync(join(tmpdir(), 'aset-servers-')), say: () => {} });
    expect({ natsUrl: servers.natsUrl, databaseUrl: servers.databaseUrl }).toEqual({ natsUrl: 'nats://example:4222', databaseUrl: 'postgres://u@h/db' });
    await servers.stop();
  });

  it('starts a private nats-server when NATS_URL is unset, and stops it', async () => {
    delete process.env['NATS_URL'];
    process.env['DATABASE_URL'] = 'postgres://u@h/db';
    const servers = await provideTestbedServers({ stateDir: mkdtempSync(join(tmpdir(), 'aset-servers-')), say: () => {} });
    const nc = await connect({ servers: servers.natsUrl });
    await nc.close();
    await servers.stop();
    await expect(connect({ servers: servers.natsUrl, reconnect: false, timeout: 1000 })).rejects.toThrow();
  });
});
