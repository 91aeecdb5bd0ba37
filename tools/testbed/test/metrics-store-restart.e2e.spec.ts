import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

/**
 * The metrics store crashes (SIGKILL) in the middle of a live run and comes back: the records
 * published while it was down, and those it had received but not committed, wait in JetStream
 * (durable consumer, ack after commit) and are stored once when it is back.
 */
describe('metrics store killed and restarted during a run', () => {
  let live: LiveTestbed;

  beforeAll(async () => {
    live = await startLiveTestbed('restart');
  });

  afterAll(async () => {
    await live?.close();
  });

  const stored = async (runId: string): Promise<number> =>
    ((await live.db.query(`SELECT count(*)::int AS n FROM queries WHERE run_id = $1`, [runId])).rows[0] as { n: number }).n;

  it('loses no query record and duplicates none', async () => {
    const runId = 'restart-main';
    const total = 800;
    let runSettled = false;
    const run = live.testbed.run({ runId, queries: total, warmupQueries: 0 }).finally(() => {
      runSettled = true;
    });

    await expect.poll(() => stored(runId), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(100);
    const firstPid = live.testbed.processes.get('metrics-store')?.child.pid;
    await live.testbed.kill('metrics-store');
    const atKill = await stored(runId);
    expect(runSettled, 'the run was still going when the store was killed').toBe(false);
    expect(atKill).toBeLessThan(total);

    // Down for a while: the generator keeps publishing into the stream.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await stored(runId)).toBe(atKill);
    await live.testbed.restart('metrics-store');
    expect(live.testbed.processes.get('metrics-store')?.child.pid).not.toBe(firstPid);

    const report = await run;
    expect(report.recordsLost).toBe(0);
    const summary = await live.testbed.waitIngested(runId, 90_000);
    expect(summary.storedQueries).toBe(total);
    const [counts] = (await live.db.query(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS ids FROM queries WHERE run_id = $1`, [runId])).rows;
    expect(counts).toEqual({ n: total, ids: total });
    const ids = (await live.db.query(`SELECT query_id FROM queries WHERE run_id = $1 ORDER BY query_id`, [runId])).rows.map((r: { query_id: string }) => r.query_id);
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => `q${String(i).padStart(7, '0')}`));
    const [run2] = (await live.db.query(`SELECT query_count, finished_at IS NOT NULL AS finished FROM runs WHERE run_id = $1`, [runId])).rows;
    expect(run2).toEqual({ query_count: total, finished: true });
  });
});
