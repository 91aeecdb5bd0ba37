import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { createTestDatabase, dropTestDatabase } from '@aset/service-kit/testing';
import { reportMain } from '../src/html-report/report.command.js';
import { startStore, type StoreHarness } from './metrics-store.harness.js';
import { publishHeartbeats, publishQueries, publishRunFinished, publishRunStarted, waitForCount, type Sample, type SyntheticQuery } from './run-records.fixture.js';

const RUNS: Record<string, { policy: string; startedMs: number; queries: SyntheticQuery[] }> = {
  'rpt-closest': {
    policy: 'closest',
    startedMs: 0,
    queries: [
      { queryId: 'w1', policy: 'closest', status: 'completed', createdMs: 50, latencyMs: 500, sloMet: false, warmup: true },
      { queryId: 'q1', policy: 'closest', status: 'completed', createdMs: 100, latencyMs: 12, sloMet: true, clusterId: 'c1' },
      { queryId: 'q2', policy: 'closest', status: 'completed', createdMs: 400, latencyMs: 18.5, sloMet: true, clusterId: 'c1' },
      { queryId: 'q3', policy: 'closest', status: 'completed', createdMs: 1200, latencyMs: 44, sloMet: false, clusterId: 'c2' },
      { queryId: 'q4', policy: 'closest', status: 'dropped', createdMs: 1300, latencyMs: 0.4, sloMet: false },
      { queryId: 'q5', policy: 'closest', status: 'error', createdMs: 2100, latencyMs: 3, sloMet: false, clusterId: 'c2' },
    ],
  },
  'rpt-random': {
    policy: 'random',
    startedMs: 50_000,
    queries: [
      { queryId: 'q1', policy: 'random', status: 'completed', createdMs: 50_100, latencyMs: 8, sloMet: true, clusterId: 'c2' },
      { queryId: 'q2', policy: 'random', status: 'completed', createdMs: 50_200, latencyMs: 33.25, sloMet: true, clusterId: 'c1' },
      { queryId: 'q3', policy: 'random', status: 'timed_out', createdMs: 51_500, latencyMs: 100, sloMet: false },
      { queryId: 'q4', policy: 'latency-aware', status: 'completed', createdMs: 51_600, latencyMs: 9, sloMet: true, clusterId: 'c2' },
    ],
  },
};
/** Heartbeats during rpt-closest (0-3 s) and rpt-random (50-53 s). */
const SAMPLES: Sample[] = [
  [100, 'c1', 'i1', 2, 1, 0],
  [900, 'c1', 'i1', 2, 2, 4],
  [1100, 'c2', 'i2', 4, 1, 0],
  [50_100, 'c1', 'i1', 2, 0, 0],
  [50_600, 'c2', 'i2', 4, 4, 2],
  [51_600, 'c2', 'i2', 4, 2, 1],
];

describe('HTML report (npm run report) against a store database holding two runs', () => {
  let store: StoreHarness;
  let databaseUrl: string;
  let dir: string;

  beforeAll(async () => {
    store = await startStore('report');
    // startStore points the store at its fresh database through DATABASE_URL.
    databaseUrl = process.env['DATABASE_URL'] as string;
    dir = mkdtempSync(join(tmpdir(), 'aset-report-'));
    for (const [runId, run] of Object.entries(RUNS)) {
      await publishRunStarted(store.bus, runId, { policy: run.policy, startedMs: run.startedMs });
      await publishQueries(store.bus, runId, run.queries);
      await publishRunFinished(store.bus, runId, run.queries.length, run.startedMs + 3000);
    }
    await publishHeartbeats(store.bus, SAMPLES);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM queries`, 10);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM runs WHERE finished_at IS NOT NULL`, 2);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM cluster_samples`, SAMPLES.length);
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await store?.close();
  });

  /** The text of the report's table cell of `field` in the row with these attributes. */
  const cell = (html: string, section: string, attrs: string, field: string) => {
    const part = html.slice(html.indexOf(`<section id="${section}">`), html.indexOf('</section>', html.indexOf(`<section id="${section}">`)));
    const row = part.split('\n').find((line) => line.startsWith(`<tr${attrs}>`));
    return row?.match(new RegExp(`data-field="${field}">(?:<span[^>]*></span>)?([^<]*)</td>`))?.[1];
  };

  it('writes one self-contained HTML file: per-policy figures equal to SQL, inline SVG charts, no external resource', async () => {
    const out = join(dir, 'nested', 'compare.html');
    const result = await reportMain(['--runs', 'rpt-closest,rpt-random', '--out', out], { DATABASE_URL: databaseUrl });
    expect(result.file).toBe(out);
    expect(result.runIds).toEqual(['rpt-closest', 'rpt-random']);
    const html = readFileSync(out, 'utf8');
    expect(html).toBe(result.html);
    expect(html.startsWith('<!doctype html>')).toBe(true);

    const expected = (
      await store.sql.query<{ run_id: string; policy: string; queries: number; slo_met: number; success: number; drops: number; errors: number; timed_out: number; p50: number | null; p95: number | null; p99: number | null }>(
        `SELECT q.run_id, COALESCE(q.policy, r.policy) AS policy, count(*)::int AS queries, count(*) FILTER (WHERE slo_met)::int AS slo_met,
                avg(slo_met::int)::float8 AS success,
                count(*) FILTER (WHERE status = 'dropped')::int AS drops, count(*) FILTER (WHERE status = 'error')::int AS errors,
                count(*) FILTER (WHERE status = 'timed_out')::int AS timed_out,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p95,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p99
           FROM queries q JOIN runs r USING (run_id) WHERE NOT q.warmup GROUP BY 1, 2 ORDER BY 1, 2`,
      )
    ).rows;
    expect(expected.map((r) => `${r.run_id}/${r.policy}`)).toEqual(['rpt-closest/closest', 'rpt-random/latency-aware', 'rpt-random/random']);
    for (const r of expected) {
      const attrs = ` data-run="${r.run_id}" data-policy="${r.policy}"`;
      const at = (field: string) => cell(html, 'summary', attrs, field);
      expect(at('queries'), r.policy).toBe(String(r.queries));
      expect(at('sloMet'), r.policy).toBe(String(r.slo_met));
      expect(at('successRatio'), r.policy).toBe(`${(r.success * 100).toFixed(1)}%`);
      expect(at('drops'), r.policy).toBe(String(r.drops));
      expect(at('errors'), r.policy).toBe(String(r.errors));
      expect(at('timedOut'), r.policy).toBe(String(r.timed_out));
      expect(at('p50Ms'), r.policy).toBe(r.p50?.toFixed(2));
      expect(at('p95Ms'), r.policy).toBe(r.p95?.toFixed(2));
      expect(at('p99Ms'), r.policy).toBe(r.p99?.toFixed(2));
    }

    // Cluster utilisation as docs/reporting.md computes it: heartbeats between each run's start and end.
    const utilisation = (
      await store.sql.query<{ run_id: string; cluster_id: string; samples: number; u: number }>(
        `SELECT r.run_id, s.cluster_id, count(*)::int AS samples, avg(s.busy_slots::float8 / s.slots) AS u
           FROM cluster_samples s JOIN runs r ON s.at BETWEEN r.started_at AND r.finished_at
          GROUP BY 1, 2 ORDER BY 1, 2`,
      )
    ).rows;
    expect(utilisation).toHaveLength(4);
    for (const u of utilisation) {
      const attrs = ` data-run="${u.run_id}" data-cluster="${u.cluster_id}"`;
      expect(cell(html, 'clusters', attrs, 'samples')).toBe(String(u.samples));
      expect(cell(html, 'clusters', attrs, 'utilisation')).toBe(`${(u.u * 100).toFixed(1)}%`);
    }

    // Four inline charts; every policy of every run in the success and latency legends.
    const charts = [...html.matchAll(/<figure data-chart="(\w+)"><svg /g)].map((m) => m[1]);
    expect(charts).toEqual(['success', 'latency', 'utilisation', 'clusters']);
    for (const label of ['closest (rpt-closest)', 'random (rpt-random)', 'latency-aware (rpt-random)']) {
      expect(html.split(`>${label}</text>`).length - 1, label).toBe(2);
    }
    // Self-contained: no script, stylesheet link, image, frame or url(); the only URLs are the SVG namespaces.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|url\(|@import/i);
    expect([...new Set(html.match(/[a-z]+:\/\/[^"'\s<>]*/gi))].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
  });

  it('names the file after the runs when --out is not given', async () => {
    const one = await reportMain(['--runs', 'rpt-random'], { DATABASE_URL: databaseUrl }, dir);
    expect(one.file).toBe(join(dir, 'report-rpt-random.html'));
    const two = await reportMain(['--runs', 'rpt-random,rpt-closest,rpt-random'], { DATABASE_URL: databaseUrl }, dir);
    expect(two.runIds).toEqual(['rpt-random', 'rpt-closest']);
    expect(two.file).toBe(join(dir, 'report-rpt-random-and-1-more.html'));
  });

  it('fails with a message naming what to fix: unknown runs, DATABASE_URL unset, unreachable or without the schema, bad options', async () => {
    await expect(reportMain(['--runs', 'rpt-closest,nope,nada', '--out', join(dir, 'x.html')], { DATABASE_URL: databaseUrl })).rejects.toThrow(/^unknown run ids: nope, nada \(/);
    await expect(reportMain(['--runs', 'rpt-closest'], {})).rejects.toThrow(/^DATABASE_URL is not set/);
    await expect(reportMain(['--runs', 'rpt-closest'], { DATABASE_URL: 'mysql://x' })).rejects.toThrow(/^DATABASE_URL is not a PostgreSQL URL/);
    await expect(reportMain(['--runs', 'rpt-closest'], { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/aset' })).rejects.toThrow(
      /^cannot reach the metrics store's database at DATABASE_URL=postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/aset: /,
    );
    const empty = await createTestDatabase('report-empty');
    try {
      await expect(reportMain(['--runs', 'rpt-closest'], { DATABASE_URL: empty.url })).rejects.toThrow(/has no metrics-store schema/);
    } finally {
      await dropTestDatabase(empty.name);
    }
    // It reads as the read-only reporting role: a login outside it is refused, naming the role.
    const outsider = `aset_outsider_${randomBytes(4).toString('hex')}`;
    await store.sql.query(`CREATE ROLE ${outsider} LOGIN PASSWORD 'outsider-pw'`);
    try {
      const url = new URL(databaseUrl);
      Object.assign(url, { username: outsider, password: 'outsider-pw' });
      await expect(reportMain(['--runs', 'rpt-closest'], { DATABASE_URL: url.toString() })).rejects.toThrow(/^the login of DATABASE_URL=\S+:\*\*\*@\S+ may not read as aset_reporting: use a login that is a member of it/);
    } finally {
      await store.sql.query(`DROP ROLE ${outsider}`);
    }
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      for (const args of [[], ['--runs', 'a b'], ['--runs', 'rpt-closest', '--bucket-ms', '50']]) {
        const error = await reportMain(args, { DATABASE_URL: databaseUrl }).catch((e: unknown) => e);
        expect(error, args.join(' ')).toBeInstanceOf(CommanderError);
        expect((error as CommanderError).exitCode).toBe(1);
        expect((error as CommanderError).message, args.join(' ')).toMatch(args.length === 0 ? /--runs/ : args.includes('--bucket-ms') ? /--bucket-ms expects/ : /--runs expects/);
      }
    } finally {
      process.stderr.write = stderr;
    }
  });
});
