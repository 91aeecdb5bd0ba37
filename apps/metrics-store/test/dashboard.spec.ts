import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startStore, type StoreHarness } from './metrics-store.harness.js';
import { T0, publishHeartbeats, publishQueries, publishRunStarted, waitForCount, type Sample, type SyntheticQuery } from './run-records.fixture.js';

/** Debian's chromium, driven through playwright-core: never a browser playwright downloads. */
const CHROMIUM = '/usr/bin/chromium';
/** Waiting for the page's next polls (every 2 s) to show what was just stored. */
const LIVE = { timeout: 15_000, interval: 100 };
/** The text of a summary cell of `page`. */
const summaryCell = (page: Page, run: string, field: string) => page.locator(`[data-content="summary"] tr[data-run="${run}"] td[data-field="${field}"]`).first().textContent();
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** dash-1 (closest), live: two 1 s buckets so far; latencies are whole ms, the slowest 40. */
const FIRST: SyntheticQuery[] = [
  { queryId: 'w1', policy: 'closest', status: 'completed', createdMs: 50, latencyMs: 900, sloMet: false, warmup: true },
  { queryId: 'q1', policy: 'closest', status: 'completed', createdMs: 100, latencyMs: 10, sloMet: true },
  { queryId: 'q2', policy: 'closest', status: 'completed', createdMs: 300, latencyMs: 20, sloMet: true },
  { queryId: 'q3', policy: 'closest', status: 'completed', createdMs: 600, latencyMs: 40, sloMet: false },
  { queryId: 'q4', policy: 'closest', status: 'dropped', createdMs: 1200, latencyMs: 0.5, sloMet: false },
  { queryId: 'q5', policy: 'closest', status: 'completed', createdMs: 1500, latencyMs: 30, sloMet: true },
];
/** Published while the page is open: a third bucket, and a new slowest query. */
const MORE: SyntheticQuery[] = [
  { queryId: 'q6', policy: 'closest', status: 'completed', createdMs: 2100, latencyMs: 60, sloMet: false },
  { queryId: 'q7', policy: 'closest', status: 'completed', createdMs: 2400, latencyMs: 15, sloMet: true },
];
const SAMPLES: Sample[] = [
  [0, 'c1', 'i1', 2, 0, 0],
  [500, 'c1', 'i1', 2, 1, 0],
  [500, 'c2', 'i2', 4, 4, 3],
  [1000, 'c1', 'i1', 2, 2, 1],
  [1400, 'c2', 'i2', 4, 1, 0],
];
const MORE_SAMPLES: Sample[] = [[2200, 'c1', 'i1', 2, 2, 5]];
/** dash-2 (random), finished long before: compared side by side with dash-1. */
const OTHER: SyntheticQuery[] = [
  { queryId: 'r1', policy: 'random', status: 'completed', createdMs: 100_100, latencyMs: 25, sloMet: true },
  { queryId: 'r2', policy: 'random', status: 'timed_out', createdMs: 100_200, latencyMs: 100, sloMet: false },
];

describe('dashboard (Debian chromium on /dashboard of an in-process store, runs through JetStream into PostgreSQL)', () => {
  let store: StoreHarness;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  /** Requests the page made to anything but the store. */
  const external: string[] = [];

  const one = async <T>(sql: string): Promise<T> => (await store.sql.query(sql)).rows[0] as T;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  /** What SQL says of dash-1's measured closest queries. */
  const expected = () =>
    one<{ queries: number; success: number; p95: number; max: number; buckets: number }>(
      `SELECT count(*)::int AS queries, avg(slo_met::int)::float8 AS success,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE status = 'completed') AS p95,
              max(latency_ms) FILTER (WHERE status = 'completed') AS max,
              count(DISTINCT date_bin('1 second', created_at, to_timestamp(${T0} / 1000.0)))::int AS buckets
         FROM queries WHERE run_id = 'dash-1' AND NOT warmup AND policy = 'closest'`,
    );
  const cell = (run: string, policy: string, field: string) => page.locator(`[data-content="summary"] tr[data-run="${run}"][data-policy="${policy}"] td[data-field="${field}"]`).textContent();
  /** The number of points (M/L commands) of each line the embedded figure of a chart draws. */
  const pathPoints = (chart: string) =>
    page.locator(`figure[data-chart="${chart}"][data-rendered] svg path[aria-roledescription="line mark"]`).evaluateAll((paths) => paths.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter((c: string) => c.trim() !== '').length));
  /** The tick labels of a chart's axis titled `title`. */
  const ticks = (chart: string, title: string) =>
    page.locator(`figure[data-chart="${chart}"] svg g.role-axis`).evaluateAll(
      (axes, t) => (axes.find((a) => [...a.querySelectorAll('.role-axis-title text')].some((e) => e.textContent === t))?.querySelectorAll('.role-axis-label text') ?? []).length,
      title,
    );
  /** The largest x of a chart's figure as GET /dashboard/view gives it for the picked runs. */
  const figureMaxX = async (chart: string) => {
    const ids = new URL(page.url()).searchParams.get('runs') ?? '';
    const view = (await (await fetch(`${store.base}/dashboard/view?runs=${ids}`)).json()) as { figures: Record<string, { layer: { data?: { values: { x: number }[] } }[] }> };
    return Math.max(...view.figures[chart]!.layer.flatMap((l) => l.data?.values.map((v) => v.x) ?? []));
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: this test drives Debian's chromium through playwright-core (it never downloads a browser). Install it with: apt-get install -y chromium (as root; .ci/run does it when it can)`);
    }
    store = await startStore('dashboard');
    const { bus } = store;
    await publishRunStarted(bus, 'dash-2', { policy: 'random', startedMs: 100_000 });
    await publishQueries(bus, 'dash-2', OTHER);
    await publishRunStarted(bus, 'dash-1', { policy: 'closest', startedMs: 0 });
    await publishQueries(bus, 'dash-1', FIRST);
    await publishHeartbeats(bus, SAMPLES);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM queries`, FIRST.length + OTHER.length);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM runs`, 2);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM cluster_samples`, SAMPLES.length);
    userDataDir = mkdtempSync(join(tmpdir(), 'aset-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(store.base)) return route.continue();
      external.push(url);
      return route.abort();
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await store?.close();
  });

  it('lists the runs from GET /runs and, once one is picked, shows its figures as SQL computes them', async () => {
    const res = await page.goto(`${store.base}/dashboard`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.locator('#runs option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value)), LIVE).toEqual(['dash-2', 'dash-1']);
    // Without ?runs=, the newest run is shown first.
    await page.waitForSelector('body[data-state="ready"]');
    expect(new URL(page.url()).searchParams.get('runs')).toBe('dash-2');
    await page.selectOption('#runs', []);
    await page.waitForSelector('body[data-state="idle"]');
    await page.selectOption('#runs', ['dash-1']);
    await page.waitForSelector('body[data-state="ready"]');
    expect(new URL(page.url()).searchParams.get('runs')).toBe('dash-1');

    const sql = await expected();
    expect(await cell('dash-1', 'closest', 'queries')).toBe(String(sql.queries));
    expect(await cell('dash-1', 'closest', 'successRatio')).toBe(pct(sql.success));
    expect(await cell('dash-1', 'closest', 'p95Ms')).toBe(sql.p95.toFixed(2));
    expect(await cell('dash-1', 'closest', 'drops')).toBe('1');

    // Success over time: one line for the one policy, one point per bucket with queries.
    expect(await pathPoints('success')).toEqual([sql.buckets]);
    expect(await page.locator('figure[data-chart="success"] svg').textContent()).toContain('closest');
    // Latency CDF: 101 quantiles up to the slowest completed query, on a labelled log axis.
    expect(await pathPoints('latency')).toEqual([101]);
    expect(await figureMaxX('latency')).toBe(sql.max);
    expect(await ticks('latency', 'latency (ms)')).toBeGreaterThanOrEqual(2);
    // Utilisation: one line (the run), one point per 1 s bucket with heartbeats; per cluster as SQL averages it.
    const sampleBuckets = await one<{ n: number }>(`SELECT count(DISTINCT date_bin('1 second', at, to_timestamp(${T0} / 1000.0)))::int AS n FROM cluster_samples`);
    expect(await pathPoints('utilisation')).toEqual([sampleBuckets.n]);
    const c1 = await one<{ u: number }>(`SELECT avg(busy_slots::float8 / slots) AS u FROM cluster_samples WHERE cluster_id = 'c1'`);
    expect(await page.locator('[data-content="clusters"] tr[data-cluster="c1"] td[data-field="utilisation"]').textContent()).toBe(pct(c1.u));
    expect(await page.locator('figure[data-chart="clusters"] svg path[aria-roledescription="bar"]').count()).toBe(2);
  });

  it('updates the charts and figures live as new records arrive, without reloading', async () => {
    await page.evaluate(() => void Object.assign(globalThis, { dashboardProbe: 'same page' }));
    const rendersBefore = Number(await page.locator('body').getAttribute('data-renders'));
    await publishQueries(store.bus, 'dash-1', MORE);
    await publishHeartbeats(store.bus, MORE_SAMPLES);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM queries WHERE run_id = 'dash-1'`, FIRST.length + MORE.length);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM cluster_samples`, SAMPLES.length + MORE_SAMPLES.length);
    const sql = await expected();
    await expect.poll(() => cell('dash-1', 'closest', 'queries'), LIVE).toBe(String(sql.queries));
    expect(await cell('dash-1', 'closest', 'successRatio')).toBe(pct(sql.success));
    expect(await cell('dash-1', 'closest', 'p95Ms')).toBe(sql.p95.toFixed(2));
    await expect.poll(() => pathPoints('success'), LIVE).toEqual([sql.buckets]);
    await expect.poll(() => figureMaxX('latency'), LIVE).toBe(sql.max);
    await expect.poll(() => pathPoints('utilisation'), LIVE).toEqual([3]);
    expect(Number(await page.locator('body').getAttribute('data-renders'))).toBeGreaterThan(rendersBefore);
    expect(await page.evaluate(() => (globalThis as { dashboardProbe?: string }).dashboardProbe)).toBe('same page');
  });

  it('compares several picked runs side by side, one line per run and policy', async () => {
    await page.selectOption('#runs', ['dash-2', 'dash-1']);
    await expect.poll(() => page.locator('[data-content="summary"] tr[data-run]').count(), LIVE).toBe(2);
    const random = await one<{ success: number }>(`SELECT avg(slo_met::int)::float8 AS success FROM queries WHERE run_id = 'dash-2'`);
    expect(await cell('dash-2', 'random', 'successRatio')).toBe(pct(random.success));
    expect(await cell('dash-2', 'random', 'timedOut')).toBe('1');
    expect((await pathPoints('success')).length).toBe(2);
    const legend = await page.locator('figure[data-chart="latency"] svg text').allTextContents();
    expect(legend).toEqual(expect.arrayContaining(['random (dash-2)', 'closest (dash-1)']));
    expect(new URL(page.url()).searchParams.get('runs')).toBe('dash-2,dash-1');
  });

  it('draws each figure at the width of the window, and again when the window is resized', async () => {
    const width = () => page.locator('figure[data-chart="success"] svg').evaluate((svg) => svg.getBoundingClientRect().width);
    await page.setViewportSize({ width: 900, height: 900 });
    await expect.poll(width, LIVE).toBeLessThan(900);
    const narrow = await width();
    await page.setViewportSize({ width: 1600, height: 900 });
    await expect.poll(width, LIVE).toBeGreaterThan(narrow + 500);
    expect(await width()).toBeLessThanOrEqual(1600);
  });

  it('made no request outside the store, and its view API names bad parameters and unknown runs', async () => {
    expect(external).toEqual([]);
    const view = async (query: string) => {
      const res = await fetch(`${store.base}/dashboard/view?${query}`);
      return { status: res.status, body: (await res.json()) as { message: string } };
    };
    const unknown = await view('runs=dash-1,nope,nada');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('unknown run ids: nope, nada');
    for (const bad of ['runs=', 'runs=a%20b', `runs=${'x,'.repeat(11)}x`, 'runs=dash-1&bucketMs=50', 'bucketMs=1000']) {
      const res = await view(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.message, bad).toMatch(bad.includes('bucketMs=50') ? /bucketMs/ : /runs/);
    }
  });
});

describe('dashboard behind REPORTS_TOKEN (Debian chromium, in-process store)', () => {
  const TOKEN = 'dashboard-token-'.padEnd(40, 'x');
  let store: StoreHarness;
  let context: BrowserContext;
  let userDataDir: string;
  /** Authorization headers of the page's data requests, per path. */
  const sent: { path: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with: apt-get install -y chromium (as root)`);
    store = await startStore('dashtoken', { REPORTS_TOKEN: TOKEN });
    await publishRunStarted(store.bus, 'lock-1', { policy: 'closest', startedMs: 0 });
    await publishQueries(store.bus, 'lock-1', FIRST);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM queries`, FIRST.length);
    userDataDir = mkdtempSync(join(tmpdir(), 'aset-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    await context.route('**/*', (route) => (route.request().url().startsWith(store.base) ? route.continue() : route.abort()));
    context.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname !== '/dashboard') sent.push({ path: url.pathname, authorization: request.headers()['authorization'] });
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await store?.close();
  });

  it('asks for the token, refuses a wrong one, then shows the runs and keeps the token for the tab only', async () => {
    const page = await context.newPage();
    expect((await page.goto(`${store.base}/dashboard`))?.status()).toBe(200);
    await page.waitForSelector('body[data-state="auth"]');
    expect(await page.locator('#auth').isVisible()).toBe(true);
    expect(await page.locator('#status').textContent()).toContain('REPORTS_TOKEN');
    await page.fill('#token', 'not-the-token');
    await page.click('#auth button');
    await expect.poll(() => page.locator('#status').textContent(), LIVE).toContain('refused');
    await page.fill('#token', TOKEN);
    await page.click('#auth button');
    await page.waitForSelector('body[data-state="ready"]');
    expect(await page.locator('#auth').isVisible()).toBe(false);
    expect(await summaryCell(page, 'lock-1', 'queries')).toBe(String(FIRST.filter((q) => !q.warmup).length));
    expect(page.url()).not.toContain(TOKEN);
    expect(sent.filter((r) => r.authorization === `Bearer ${TOKEN}`).map((r) => r.path)).toEqual(expect.arrayContaining(['/runs', '/dashboard/view']));
    // A reload keeps the token (sessionStorage); a new tab, which starts with its own empty session storage, asks again.
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]');
    const other = await context.newPage();
    await other.goto(`${store.base}/dashboard`);
    await other.waitForSelector('body[data-state="auth"]');
    await other.close();
    await page.close();
  });

  it('takes the token from #token= in the address, and removes it from there', async () => {
    const page = await context.newPage();
    await page.goto(`${store.base}/dashboard?runs=lock-1#token=${encodeURIComponent(TOKEN)}`);
    await page.waitForSelector('body[data-state="ready"]');
    expect(new URL(page.url()).hash).toBe('');
    expect(new URL(page.url()).searchParams.get('runs')).toBe('lock-1');
    await page.close();
  });
});
