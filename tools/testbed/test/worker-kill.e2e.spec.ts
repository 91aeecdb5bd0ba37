import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '@aset/service-kit/testing';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

/** The far-edge cluster nearest to ap-1: `closest` sends it every ap-1 query it can serve. */
const VICTIM = 'far-edge-1';
const QUERIES = 1500;
/** The demo's arrival rates: ~72 queries/s, about 20 s of arrivals, with room on a busy 2-core host. */
const RATE_SCALE = 1;
const REPLY_TIMEOUT_MS = 5000;
/** After this long past the kill, no query may go to the dead cluster. */
const GRACE_MS = 2000;
/**
 * A query created this long after the killed process was reaped was never in flight at the dead
 * worker. (Until the kernel has torn the process down, its socket stays open and the NATS server
 * still delivers to it: queries dispatched meanwhile die with it.)
 */
const IN_FLIGHT_SLACK_MS = 250;

/**
 * A far-edge worker crashes (SIGKILL) in the middle of a live run: the scheduler learns it at the
 * first dispatch that finds no responder (its heartbeats would tell it within 3 periods anyway),
 * redispatches that query and sends no more there. Only the queries the worker held when it died
 * time out; every query still ends in exactly one record.
 */
describe('a far-edge worker killed during a live run', () => {
  let live: LiveTestbed;

  beforeAll(async () => {
    live = await startLiveTestbed('workerkill');
  });

  afterAll(async () => {
    await live?.close();
  });

  const stored = async (runId: string): Promise<number> =>
    ((await live.db.query(`SELECT count(*)::int AS n FROM queries WHERE run_id = $1`, [runId])).rows[0] as { n: number }).n;

  /** The scheduler's counts for `cluster` so far: dispatches (first ones and redispatches), and those that found no responder. */
  const schedulerCounts = async (cluster: string): Promise<{ dispatched: number; noResponders: number }> => {
    const port = live.testbed.processes.get('scheduler')?.options.env['HTTP_PORT'];
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return {
      dispatched: metricValue(metrics, 'aset_scheduler_decisions_total', { outcome: 'dispatched', cluster }) ?? 0,
      noResponders: metricValue(metrics, 'aset_scheduler_no_responders_total', { cluster }) ?? 0,
    };
  };

  it('sends nothing to the dead cluster after the kill, times out only what it held, and records every query once', async () => {
    const runId = 'worker-kill';
    let runSettled = false;
    const run = live.testbed.run({ runId, queries: QUERIES, warmupQueries: 0, rateScale: RATE_SCALE, replyTimeoutMs: REPLY_TIMEOUT_MS }).finally(() => {
      runSettled = true;
    });

    await expect.poll(() => stored(runId), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(QUERIES / 5);
    expect((await schedulerCounts(VICTIM)).dispatched, `${VICTIM} served queries before the kill`).toBeGreaterThan(0);
    // The services' clocks (performance.timeOrigin + now()) agree with Date.now() on one host to well under a millisecond.
    const killedAt = Date.now();
    await live.testbed.kill(`worker-${VICTIM}`);
    const reapedAt = Date.now();
    expect(runSettled, 'the run was still going when the worker was killed').toBe(false);

    await new Promise((r) => setTimeout(r, GRACE_MS));
    const afterGrace = await schedulerCounts(VICTIM);
    expect(runSettled, 'the run outlasted the grace period').toBe(false);

    const report = await run;
    expect(report.recordsLost).toBe(0);
    const summary = await live.testbed.waitIngested(runId, 90_000);
    expect(summary.storedQueries).toBe(QUERIES);

    // The scheduler's own count: no dispatch to the dead cluster after the grace period.
    const atEnd = await schedulerCounts(VICTIM);
    expect(atEnd).toEqual(afterGrace);

    // Exactly one terminal record per generated query.
    const [counts] = (await live.db.query(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS ids FROM queries WHERE run_id = $1`, [runId])).rows;
    expect(counts).toEqual({ n: QUERIES, ids: QUERIES });

    // No stored query dispatched more than GRACE_MS after the kill went to the dead cluster.
    const late = (
      await live.db.query(`SELECT count(*)::int AS n FROM queries WHERE run_id = $1 AND cluster_id = $2 AND dispatched_at > to_timestamp($3 / 1000.0)`, [runId, VICTIM, killedAt + GRACE_MS])
    ).rows[0] as { n: number };
    expect(late.n).toBe(0);

    // Its load went elsewhere: ap-1 queries created after the kill completed on other clusters.
    const moved = (
      await live.db.query(
        `SELECT count(*)::int AS n FROM queries WHERE run_id = $1 AND source = 'ap-1' AND status = 'completed' AND created_at > to_timestamp($2 / 1000.0)`,
        [runId, killedAt + GRACE_MS],
      )
    ).rows[0] as { n: number };
    expect(moved.n).toBeGreaterThan(0);

    // Only the queries the dead worker held timed out: every dispatch to it either completed, found
    // no responder (and was redispatched), or died with it. None was created after the kill.
    const byStatus = new Map(
      (await live.db.query(`SELECT status, count(*)::int AS n FROM queries WHERE run_id = $1 GROUP BY status`, [runId])).rows.map((r: { status: string; n: number }) => [r.status, r.n]),
    );
    const completedOnVictim = (
      await live.db.query(`SELECT count(*)::int AS n FROM queries WHERE run_id = $1 AND status = 'completed' AND cluster_id = $2`, [runId, VICTIM])
    ).rows[0] as { n: number };
    const timedOut = byStatus.get('timed_out') ?? 0;
    expect([...byStatus.keys()].filter((s) => s !== 'completed' && s !== 'timed_out'), 'statuses other than completed and timed_out').toEqual([]);
    expect(timedOut, 'timed-out queries = dispatches to the victim that neither completed nor found no responder').toBe(atEnd.dispatched - completedOnVictim.n - atEnd.noResponders);
    expect(timedOut, 'timed-out queries').toBeLessThan(QUERIES / 10);
    const lastTimedOut = (
      await live.db.query(`SELECT max(extract(epoch FROM created_at) * 1000)::float8 AS t FROM queries WHERE run_id = $1 AND status = 'timed_out'`, [runId])
    ).rows[0] as { t: number | null };
    const lastTimedOutAt = lastTimedOut.t === null ? 'none timed out' : `the last timed-out one created ${(lastTimedOut.t - killedAt).toFixed(0)} ms after SIGKILL`;
    console.log(`worker-kill: reaped ${reapedAt - killedAt} ms after SIGKILL; ${atEnd.dispatched} dispatches to ${VICTIM}, ${completedOnVictim.n} completed there, ${atEnd.noResponders} found no responder, ${timedOut} timed out; ${lastTimedOutAt}`);
    expect((lastTimedOut.t ?? reapedAt) - reapedAt, 'last timed-out query created (ms after the killed worker was reaped)').toBeLessThan(IN_FLIGHT_SLACK_MS);

    const schedulerLog = readFileSync(live.testbed.processes.get('scheduler')?.options.logFile ?? '', 'utf8');
    expect(schedulerLog).toMatch(new RegExp(`cluster ${VICTIM} is down: no (responder on \\S+\\.cluster\\.${VICTIM}\\.infer|heartbeat for \\d+ ms)`));
  });
});
