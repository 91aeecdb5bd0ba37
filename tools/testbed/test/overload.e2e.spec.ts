import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '@aset/service-kit/testing';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

const QUERIES = 600;
/** scenarios/overload.yaml's arrivals are its clusters' capacity (about 25.7 queries/s): twice that. */
const RATE_SCALE = 2;

/**
 * The live testbed at twice its clusters' capacity with the overload defences on (ADMISSION=on,
 * scenarios/overload.yaml's maxQueue 1): the workers refuse what their bounded queues cannot hold,
 * and every query, shed or served, still ends in exactly one terminal record, a refusal as a drop
 * with reason QUEUE_FULL naming the cluster that refused it.
 */
describe('the live testbed at twice its capacity', () => {
  let live: LiveTestbed;

  beforeAll(async () => {
    live = await startLiveTestbed('overload', { scenario: 'overload', policy: 'latency-aware', env: { ADMISSION: 'on' } });
  });

  afterAll(async () => {
    await live?.close();
  });

  const refusedByWorkers = async (): Promise<number> => {
    let total = 0;
    for (const cluster of ['edge-a', 'edge-b']) {
      const port = live.testbed.processes.get(`worker-${cluster}`)?.options.env['HTTP_PORT'];
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      total += metricValue(metrics, 'aset_worker_refused_total', { cluster }) ?? 0;
    }
    return total;
  };

  it('sheds with typed reasons and records every query exactly once', async () => {
    const runId = 'overload-2x';
    const report = await live.testbed.run({ runId, queries: QUERIES, warmupQueries: 0, rateScale: RATE_SCALE, replyTimeoutMs: 5000 });
    expect(report.recordsLost).toBe(0);
    const summary = await live.testbed.waitIngested(runId, 90_000);
    expect(summary.storedQueries).toBe(QUERIES);

    const [counts] = (await live.db.query(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS ids FROM queries WHERE run_id = $1`, [runId])).rows;
    expect(counts).toEqual({ n: QUERIES, ids: QUERIES });

    const rows = (await live.db.query(`SELECT status, reason, cluster_id, policy FROM queries WHERE run_id = $1 AND status <> 'completed'`, [runId])).rows as { status: string; reason: string | null; cluster_id: string | null; policy: string | null }[];
    const refusals = rows.filter((r) => r.reason === 'QUEUE_FULL');
    // Twice the capacity cannot all be served: the bounded queues refuse part of it.
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) expect(r).toMatchObject({ status: 'dropped', policy: 'latency-aware', cluster_id: expect.stringMatching(/^edge-[ab]$/) });
    for (const r of rows.filter((x) => x.reason === 'DEADLINE_UNREACHABLE')) expect(r).toMatchObject({ status: 'dropped', cluster_id: null });
    // Nothing else goes wrong: no errors, and every drop is one of the two overload reasons.
    expect(rows.filter((r) => r.status === 'error' || (r.status === 'dropped' && r.reason !== 'QUEUE_FULL' && r.reason !== 'DEADLINE_UNREACHABLE'))).toEqual([]);
    // Each refusal the workers counted is one record.
    expect(await refusedByWorkers()).toBe(refusals.length);
  });
});
