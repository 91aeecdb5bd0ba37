import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, promtoolFindings } from '@aset/service-kit/testing';
import { REPO_ROOT, readStoredQueryRecords } from '@aset/testbed';
import { QUERY_CSV_COLUMNS, queryCsvRow } from '@aset/workload';
import { startLiveTestbed, type LiveTestbed } from './live-testbed.fixture.js';

const hasPromtool = spawnSync('promtool', ['--version']).error === undefined;

/** Grafana's interval variables, as Grafana would substitute them, so the expressions parse as PromQL. */
const GRAFANA_VARIABLES: Record<string, string> = { $__rate_interval: '1m', $__interval: '15s', $__range: '15m' };

/** The metric names an expression selects, and whether it parses; throws on a Grafana variable this test does not know. */
function selectedMetrics(expr: string): { names: string[]; parses: boolean } {
  const unknown = [...expr.matchAll(/\$\w+/g)].map((m) => m[0]).filter((v) => !(v in GRAFANA_VARIABLES));
  if (unknown.length > 0) throw new Error(`unknown Grafana variable(s) ${unknown.join(', ')} in ${expr}`);
  const promql = expr.replace(/\$\w+/g, (v) => GRAFANA_VARIABLES[v] as string);
  const names: string[] = [];
  let parses = true;
  parser.parse(promql).iterate({
    enter: (n) => {
      if (n.type.isError) parses = false;
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') names.push(promql.slice(n.from, n.to));
    },
  });
  return { names, parses };
}

/**
 * The metric names an exposition declares (`# TYPE`, so a labelled counter counts before its first
 * sample) and its sample names (a histogram's `_bucket`, `_sum` and `_count`).
 */
const exposedNames = (exposition: string) =>
  new Set([...exposition.matchAll(/^(?:# TYPE )?([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1] as string).filter((n) => n !== '#'));

/**
 * Every long-running service's /metrics, after a short live run, passes Prometheus's linter
 * (`promtool check metrics`) with no finding on an `aset_*` metric: base units (`_seconds`,
 * `_total`), and histograms in seconds. The generator (a run-long process) and the SLO alerter are
 * checked in their own specs. Runs where promtool is installed (`npm test` installs Debian's
 * prometheus package where it can).
 */
describe("the services' Prometheus metrics, live", () => {
  let live: LiveTestbed | undefined;
  // A Pushgateway stand-in: the generator pushes its final metrics there (PUSHGATEWAY_URL).
  const pushed: string[] = [];
  let pushgateway: Server;
  const scraped = new Map<string, string>();

  beforeAll(async () => {
    pushgateway = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        pushed.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => pushgateway.listen(0, '127.0.0.1', resolve));
    live = await startLiveTestbed('prom-lint', { env: { PUSHGATEWAY_URL: `http://127.0.0.1:${(pushgateway.address() as AddressInfo).port}` } });
    const report = await live.testbed.run({ runId: 'prom-lint', queries: 100, warmupQueries: 10 });
    expect(report.recordsLost).toBe(0);
    await live.testbed.waitIngested('prom-lint', 60_000);
    for (const [name, proc] of live.testbed.processes) {
      const port = proc.options.env['HTTP_PORT'];
      if (port) scraped.set(name, await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    }
  }, 150_000);
  afterAll(async () => {
    await live?.close();
    pushgateway?.close();
  });

  it.skipIf(!hasPromtool)('promtool finds the abbreviated units it is meant to find', () => {
    const old = '# HELP aset_query_latency_ms x\n# TYPE aset_query_latency_ms histogram\naset_query_latency_ms_bucket{le="+Inf"} 0\naset_query_latency_ms_sum 0\naset_query_latency_ms_count 0\n';
    expect(promtoolFindings(old)).toEqual(['aset_query_latency_ms metric names should not contain abbreviated units']);
  });

  it.skipIf(!hasPromtool)('finds nothing on any aset_* metric of the scheduler, the workers, the metrics store and the generator', () => {
    // Each kind of service was scraped, with samples of its duration histograms.
    const names = [...scraped.keys()];
    for (const kind of ['scheduler', 'worker-', 'metrics-store']) expect(names.some((n) => n.startsWith(kind))).toBe(true);
    expect(metricValue(scraped.get('scheduler') as string, 'aset_scheduler_decision_seconds_count', { policy: 'closest' })).toBeGreaterThanOrEqual(110);
    expect(metricValue(scraped.get('metrics-store') as string, 'aset_store_batch_write_seconds_count')).toBeGreaterThan(0);
    for (const [name, text] of scraped) expect({ name, findings: promtoolFindings(text) }).toEqual({ name, findings: [] });
    expect(pushed).toHaveLength(1);
    expect(promtoolFindings(pushed[0] as string)).toEqual([]);
  });

  it("the Grafana dashboard's every PromQL expression parses and selects only metrics the services expose", () => {
    const exposed = new Set([...scraped.values(), ...pushed].flatMap((text) => [...exposedNames(text)]));
    // The live scrape and the push between them hold every service's metrics, or this checks little.
    for (const name of ['aset_queries_total', 'aset_query_latency_seconds_bucket', 'aset_scheduler_decisions_total', 'aset_worker_queue_length', 'aset_store_consumer_backlog']) expect(exposed).toContain(name);
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/grafana/dashboards/aset.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const expressions = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, expr: t.expr })));
    expect(expressions.length).toBeGreaterThanOrEqual(10);
    for (const { panel, expr } of expressions) {
      const { names, parses } = selectedMetrics(expr);
      expect({ panel, expr, parses }).toEqual({ panel, expr, parses: true });
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      // `up` is Prometheus's own, per scrape target.
      expect({ panel, unexposed: names.filter((n) => n !== 'up' && !exposed.has(n)) }).toEqual({ panel, unexposed: [] });
    }
  });

  // Not about metrics, but it needs a finished live run: what the live sweep's per-query CSV writes.
  it("reads a live run's stored queries back as QueryRecords, one CSV row each", async () => {
    if (!live) throw new Error('the testbed did not start');
    const records = await readStoredQueryRecords(live.testbed.options.databaseUrl, 'prom-lint');
    expect(records).toHaveLength(110);
    expect(records.filter((r) => r.warmup)).toHaveLength(10);
    expect(new Set(records.map((r) => r.queryId)).size).toBe(110);
    for (const r of records) {
      expect(r.runId).toBe('prom-lint');
      // Met means answered in time (and accurately enough, which the record does not repeat).
      if (r.sloMet) expect(r.status === 'completed' && r.latencyMs <= r.sloMaxLatencyMs).toBe(true);
      if (r.status === 'completed') expect(r.completedAt - r.createdAt).toBeCloseTo(r.latencyMs, 2);
      expect(queryCsvRow(r).split(',')).toHaveLength(QUERY_CSV_COLUMNS.length);
    }
  });

  it('the PromQL check rejects what it should', () => {
    expect(selectedMetrics('sum(rate(aset_queries_total[$__rate_interval]))')).toEqual({ names: ['aset_queries_total'], parses: true });
    expect(selectedMetrics('sum(rate(aset_queries_total[5m]) +').parses).toBe(false);
    expect(() => selectedMetrics('rate(x[$window])')).toThrow(/unknown Grafana variable\(s\) \$window/);
  });
});
