import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEURISTIC_POLICY_NAMES, STATIC_POLICY_NAMES } from '@aset/scheduling';
import { metricValue } from '@aset/service-kit/testing';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

const QUERIES = 300;

/**
 * Every registered heuristic that is not a static policy (those run live in validate:sim and the
 * testbed specs) runs in the live scheduler as in the simulator: each places every query of a short
 * demo run, is fed the outcomes of its queries from the records stream (it reads observed delays),
 * and its name is what the records carry. A policy added to the registry is tested here with no
 * other change.
 */
const ADAPTIVE_HEURISTICS = HEURISTIC_POLICY_NAMES.filter((name) => !(STATIC_POLICY_NAMES as readonly string[]).includes(name));

describe.each(ADAPTIVE_HEURISTICS)('the %s heuristic, live', (policy) => {
  let live: LiveTestbed | undefined;

  beforeAll(async () => {
    live = await startLiveTestbed(`heur-${policy}`.slice(0, 20), { policy });
  });
  afterAll(async () => {
    await live?.close();
  });

  it('serves a demo run and learns of its outcomes', async () => {
    if (!live) throw new Error('the testbed did not start');
    const runId = `heuristic-${policy}`;
    const report = await live.testbed.run({ runId, queries: QUERIES, warmupQueries: 20 });
    expect(report.recordsLost).toBe(0);
    const summary = await live.testbed.waitIngested(runId, 90_000);
    expect(summary.policies).toHaveLength(1);
    expect(summary.policies[0]).toMatchObject({ policy, queries: QUERIES });
    // Every measured query was placed and answered (none dropped or lost).
    const statuses = (await live.db.query(`SELECT status, count(*)::int AS n FROM queries WHERE run_id = $1 AND NOT warmup GROUP BY status`, [runId])).rows;
    expect(statuses).toEqual([{ status: 'completed', n: QUERIES }]);
    const port = live.testbed.processes.get('scheduler')?.options.env['HTTP_PORT'];
    const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metricValue(await metrics(), 'aset_scheduler_decisions_total', { policy, outcome: 'dispatched' })).toBeGreaterThanOrEqual(QUERIES + 20);
    // The outcome feed delivered the outcomes to the policy (one lag observation per outcome).
    await expect.poll(async () => metricValue(await metrics(), 'aset_scheduler_outcome_lag_seconds_count') ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(QUERIES);
    // Room for its own waits: the run, up to 90 s for ingestion and 20 s for the outcome feed.
  }, 150_000);
});
