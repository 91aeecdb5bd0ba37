import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, promtoolFindings } from '@aset/service-kit/testing';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

const hasPromtool = spawnSync('promtool', ['--version']).error === undefined;

/**
 * Every long-running service's /metrics, after a short live run, passes Prometheus's linter
 * (`promtool check metrics`) with no finding on an `aset_*` metric: base units (`_seconds`,
 * `_total`), and histograms in seconds. The generator (a run-long process) and the SLO alerter are
 * checked in their own specs. Runs where promtool is installed (`npm test` installs Debian's
 * prometheus package where it can).
 */
describe.skipIf(!hasPromtool)("the services' Prometheus metrics, live", () => {
  let live: LiveTestbed | undefined;

  beforeAll(async () => {
    live = await startLiveTestbed('prom-lint');
  });
  afterAll(async () => {
    await live?.close();
  });

  it('promtool finds the abbreviated units it is meant to find', () => {
    const old = '# HELP aset_query_latency_ms x\n# TYPE aset_query_latency_ms histogram\naset_query_latency_ms_bucket{le="+Inf"} 0\naset_query_latency_ms_sum 0\naset_query_latency_ms_count 0\n';
    expect(promtoolFindings(old)).toEqual(['aset_query_latency_ms metric names should not contain abbreviated units']);
  });

  it('finds nothing on any aset_* metric of the scheduler, the workers and the metrics store', async () => {
    if (!live) throw new Error('the testbed did not start');
    const report = await live.testbed.run({ runId: 'prom-lint', queries: 100, warmupQueries: 10 });
    expect(report.recordsLost).toBe(0);
    await live.testbed.waitIngested('prom-lint', 60_000);
    const scraped = new Map<string, string>();
    for (const [name, proc] of live.testbed.processes) {
      const port = proc.options.env['HTTP_PORT'];
      if (port) scraped.set(name, await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    }
    // Each kind of service was scraped, with samples of its duration histograms.
    const names = [...scraped.keys()];
    for (const kind of ['scheduler', 'worker-', 'metrics-store']) expect(names.some((n) => n.startsWith(kind))).toBe(true);
    expect(metricValue(scraped.get('scheduler') as string, 'aset_scheduler_decision_seconds_count', { policy: 'closest' })).toBeGreaterThanOrEqual(110);
    expect(metricValue(scraped.get('metrics-store') as string, 'aset_store_batch_write_seconds_count')).toBeGreaterThan(0);
    for (const [name, text] of scraped) expect({ name, findings: promtoolFindings(text) }).toEqual({ name, findings: [] });
  }, 120_000);
});
