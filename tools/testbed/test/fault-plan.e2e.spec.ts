import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultPlan } from '@aset/testbed';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

/** About 22 s of the demo workload: the restarted worker (its start takes seconds on a busy host) has the rest of the run to serve again. */
const QUERIES = 1400;
const PLAN: FaultPlan = {
  faults: [
    { atSec: 2, action: 'pause', service: 'worker-far-edge-2', forSec: 2 },
    { atSec: 3, action: 'kill', service: 'worker-far-edge-1', forSec: 3 },
  ],
};

/**
 * A fault plan on a live run of the demo testbed: a worker paused (SIGSTOP, a gray failure) and
 * continued, another killed (SIGKILL) and restarted, each at its second of the run's scenario clock.
 * Every query still ends in exactly one record, the paused worker finishes nothing while stopped, and
 * the restarted one serves again.
 */
describe('a fault plan during a live run', () => {
  let live: LiveTestbed;

  beforeAll(async () => {
    live = await startLiveTestbed('faultplan');
  });

  afterAll(async () => {
    await live?.close();
  });

  it('pauses, kills and restarts real service processes at their times, and every query still ends in one record', async () => {
    const runId = 'fault-plan';
    const report = await live.testbed.run({ runId, queries: QUERIES, warmupQueries: 0, replyTimeoutMs: 3000, faults: PLAN });
    expect(report.recordsLost).toBe(0);
    const steps = report.faults.map((f) => [f.action, f.service, f.atSec, f.error ?? null]);
    expect(steps).toEqual([
      ['pause', 'worker-far-edge-2', 2, null],
      ['kill', 'worker-far-edge-1', 3, null],
      ['resume', 'worker-far-edge-2', 4, null],
      ['restart', 'worker-far-edge-1', 6, null],
    ]);
    // Applied on time: never early, and late only by the timer and the step before it.
    for (const f of report.faults) {
      expect(f.appliedAtSec, `${f.action} ${f.service}`).toBeGreaterThanOrEqual(f.atSec);
      expect(f.appliedAtSec - f.atSec, `${f.action} ${f.service}`).toBeLessThan(1);
    }
    const summary = await live.testbed.waitIngested(runId, 90_000);
    expect(summary.storedQueries).toBe(QUERIES);
    const [counts] = (await live.db.query(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS ids FROM queries WHERE run_id = $1`, [runId])).rows;
    expect(counts).toEqual({ n: QUERIES, ids: QUERIES });

    const at = (action: string) => report.faults.find((f) => f.action === action)!.appliedAt;
    const count = async (where: string, params: unknown[]) => ((await live.db.query(`SELECT count(*)::int AS n FROM queries WHERE run_id = $1 AND ${where}`, [runId, ...params])).rows[0] as { n: number }).n;
    // Stopped, the worker computes nothing: no query finished there while it was paused.
    expect(await count(`cluster_id = 'far-edge-2' AND finished_at > to_timestamp($2 / 1000.0) AND finished_at < to_timestamp($3 / 1000.0)`, [at('pause') + 300, at('resume') - 300])).toBe(0);
    expect(await count(`cluster_id = 'far-edge-2' AND status = 'completed' AND finished_at > to_timestamp($2 / 1000.0)`, [at('resume')]), 'far-edge-2 served again once continued').toBeGreaterThan(0);
    // Killed, then restarted: it serves again.
    expect(await count(`cluster_id = 'far-edge-1' AND status = 'completed' AND dispatched_at > to_timestamp($2 / 1000.0)`, [at('restart') + 1000]), 'far-edge-1 served again once restarted').toBeGreaterThan(0);
    expect(await live.testbed.heal(), 'nothing left to bring back').toEqual([]);
  });
});
