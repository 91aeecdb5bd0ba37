import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provideNats, providePostgres } from '@aset/testbed';

/**
 * Once per `vitest run`: NATS_URL / DATABASE_URL when set, else a private nats-server (JetStream)
 * and an embedded PostgreSQL in a temp folder. Tests read ASET_TEST_NATS_URL and
 * ASET_TEST_DATABASE_URL (an admin connection: each test suite creates its own database) and use
 * their own subject prefix, so concurrent runs never collide.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'aset-test-'));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  chmodSync(dir, 0o755);
  const say = (m: string) => console.log(`[test setup] ${m}`);
  const nats = await provideNats({ env: process.env['NATS_URL'], dataDir: join(dir, 'nats'), say });
  let postgres;
  try {
    postgres = await providePostgres({ env: process.env['DATABASE_URL'], dataDir: join(dir, 'postgres'), say });
  } catch (e) {
    await nats.stop();
    throw e;
  }
  process.env['ASET_TEST_NATS_URL'] = nats.url;
  process.env['ASET_TEST_DATABASE_URL'] = postgres.url;
  return async () => {
    await Promise.allSettled([nats.stop(), postgres.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
