import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { SubjectSpace } from '@aset/contracts';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { createTestDatabase, dropTestDatabase, testNatsUrl } from '@aset/service-kit/testing';
import { inboxPrefixOf } from '@aset/messaging';
import { Testbed, type EdgeSite, type SiteNetworkMode } from '@aset/testbed';

/** A live testbed (on the `demo` scenario unless told otherwise) for one spec file, with the test's own connections. */
export interface LiveTestbed {
  testbed: Testbed;
  /** The test's client on the testbed's own database. */
  db: pg.Client;
  /**
   * The test's own NATS connection (subjects under `space`), to the testbed's central NATS server;
   * on a testbed with its own hub, as the testbed's user (its permissions: run records, the run clock).
   */
  nc: NatsConnection;
  space: SubjectSpace;
  prefix: string;
  /** Stops every service, deletes the records stream and drops the database; safe after a partial start. */
  close(): Promise<void>;
}

/**
 * Starts every service (needs the build) on a fresh database and subject prefix named after `label`,
 * the scheduler with `policy` (default closest), on `scenario` (default demo); `env` goes to every service (e.g. ASET_CHECKPOINT).
 * With `sites`, the testbed runs its own hub and leaf nodes instead of using the tests' NATS server.
 */
export async function startLiveTestbed(
  label: string,
  options: { scenario?: string; policy?: string; env?: Record<string, string>; sites?: { edge: EdgeSite[]; network?: SiteNetworkMode }; clustersPerWorker?: number } = {},
): Promise<LiveTestbed> {
  const prefix = uniqueTestPrefix(label);
  const space = new SubjectSpace(prefix);
  const database = await createTestDatabase(label);
  let testbed: Testbed | undefined;
  let db: pg.Client | undefined;
  let nc: NatsConnection | undefined;
  const close = async () => {
    // A testbed's own hub goes with its data; the tests' shared server keeps streams until deleted.
    if (nc && !testbed?.topology) {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(space.streamName('records')).catch(() => {});
    }
    await nc?.close();
    await db?.end();
    await testbed?.stop();
    await dropTestDatabase(database.name);
  };
  try {
    testbed = await Testbed.start({
      scenario: options.scenario ?? 'demo',
      policy: options.policy ?? 'closest',
      prefix,
      ...(options.env ? { env: options.env } : {}),
      ...(options.sites ? { sites: options.sites } : { natsUrl: testNatsUrl() }),
      ...(options.clustersPerWorker ? { clustersPerWorker: options.clustersPerWorker } : {}),
      databaseUrl: database.url,
      logDir: mkdtempSync(join(tmpdir(), `aset-${label}-logs-`)),
      say: () => {},
    });
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const secured = testbed.topology?.security.busOptions('testbed');
    nc = await connect({
      servers: testbed.natsUrl,
      ...(secured ? { authenticator: nkeyAuthenticator(secured.identity.seed), inboxPrefix: inboxPrefixOf(secured.identity.publicKey), tls: { ...secured.tls } } : {}),
    });
    return { testbed, db, nc, space, prefix, close };
  } catch (e) {
    await close();
    throw e;
  }
}
