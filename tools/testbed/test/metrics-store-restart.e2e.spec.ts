import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { SubjectSpace } from '@aset/contracts';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { createTestDatabase, dropTestDatabase, testNatsUrl } from '@aset/service-kit/testing';
import { Testbed } from '@aset/testbed';

/**
 * The metrics store crashes (SIGKILL) in the middle of a live run and comes back: the records
 * published while it was down, and those it had received but not committed, wait in JetStream
 * (durable consumer, ack after commit) and are stored once when it is back.
 */
describe('metrics store killed and restarted during a run', () => {
  let testbed: Testbed;
  let db: pg.Client;
  let dbName: string;
  let nc: NatsConnection;
  const prefix = uniqueTestPrefix('restart');
  const space = new SubjectSpace(prefix);

  beforeAll(async () => {
    const testDb = await createTestDatabase('restart');
    dbName = testDb.name;
    testbed = await Testbed.start({
      scenario: 'demo',
      policy: 'closest',
      prefix,
      natsUrl: testNatsUrl(),
      databaseUrl: testDb.url,
      logDir: mkdtempSync(join(tmpdir(), 'aset-restart-logs-')),
      say: () => {},
    });
    db = new pg.Client({ connectionString: testDb.url });
    await db.connect();
    nc = await connect({ servers: testNatsUrl() });
  });

  afterAll(async () => {
    if (nc) {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(space.streamName('records')).catch(() => {});
    }
    await nc?.close();
    await db?.end();
    await testbed?.stop();
    if (dbName) await dropTestDatabase(dbName);
  });

  const stored = async (runId: string): Promise<number> =>
    ((await db.query(`SELECT count(*)::int AS n FROM queries WHERE run_id = $1`, [runId])).rows[0] as { n: number }).n;

  it('loses no query record and duplicates none', async () => {
    const runId = 'restart-main';
    const total = 800;
    let runSettled = false;
    const run = testbed.run({ runId, queries: total, warmupQueries: 0 }).finally(() => {
      runSettled = true;
    });

    await expect.poll(() => stored(runId), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(100);
    const firstPid = testbed.processes.get('metrics-store')?.child.pid;
    await testbed.kill('metrics-store');
    const atKill = await stored(runId);
    expect(runSettled, 'the run was still going when the store was killed').toBe(false);
    expect(atKill).toBeLessThan(total);

    // Down for a while: the generator keeps publishing into the stream.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await stored(runId)).toBe(atKill);
    await testbed.restart('metrics-store');
    expect(testbed.processes.get('metrics-store')?.child.pid).not.toBe(firstPid);

    const report = await run;
    expect(report.recordsLost).toBe(0);
    const summary = await testbed.waitIngested(runId, 90_000);
    expect(summary.storedQueries).toBe(total);
    const [counts] = (await db.query(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS ids FROM queries WHERE run_id = $1`, [runId])).rows;
    expect(counts).toEqual({ n: total, ids: total });
    const ids = (await db.query(`SELECT query_id FROM queries WHERE run_id = $1 ORDER BY query_id`, [runId])).rows.map((r: { query_id: string }) => r.query_id);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => `q${String(i).padStart(7, '0')}`));
    const [run2] = (await db.query(`SELECT query_count, finished_at IS NOT NULL AS finished FROM runs WHERE run_id = $1`, [runId])).rows;
    expect(run2).toEqual({ query_count: total, finished: true });
  });
});
