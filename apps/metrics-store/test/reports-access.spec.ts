import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDataSourceToken } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { REPORTING_ROLE, metricsDataSourceOptions } from '@aset/ingestion';
import { REPORTS_DATA_SOURCE } from '../src/reporting/reports.data-source.js';
import { startStore, type StoreHarness } from './metrics-store.harness.js';
import { publishQueries, publishRunStarted, waitForCount } from './run-records.fixture.js';

const TOKEN = randomBytes(24).toString('hex');
/** Every route that shows run data or describes the API: each needs the token. */
const GUARDED = ['/runs', '/runs/acc-1/summary', '/runs/acc-1/latency', '/reports/summary?run=acc-1', '/dashboard/view?runs=acc-1', '/docs-json', '/docs', '/no-such-route'];

/** GET of `path` exactly as written (fetch would normalize `..`), answering the status code. */
function rawGetAt(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('reports API access (in-process store with REPORTS_TOKEN, runs through JetStream into PostgreSQL)', () => {
  let store: StoreHarness;
  const get = (path: string, authorization?: string) => fetch(`${store.base}${path}`, { headers: authorization === undefined ? {} : { authorization } });

  beforeAll(async () => {
    store = await startStore('access', { REPORTS_TOKEN: TOKEN });
    await publishRunStarted(store.bus, 'acc-1', { policy: 'closest', startedMs: 0 });
    await publishQueries(store.bus, 'acc-1', [{ queryId: 'q1', policy: 'closest', status: 'completed', createdMs: 100, latencyMs: 12, sloMet: true }]);
    await waitForCount(store.sql, `SELECT count(*) AS n FROM queries`, 1);
  });

  afterAll(async () => {
    await store?.close();
  });

  it('answers 401 with WWW-Authenticate: Bearer without the token or with a wrong one', async () => {
    for (const path of GUARDED) {
      const none = await get(path);
      expect(none.status, path).toBe(401);
      expect(none.headers.get('www-authenticate'), path).toBe('Bearer realm="aset-reports"');
      expect(((await none.json()) as { message: string }).message, path).toMatch(/Authorization: Bearer/);
      for (const wrong of [`Bearer ${TOKEN.slice(0, -1)}x`, `Bearer ${TOKEN}x`, 'Bearer ', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} ${TOKEN}`]) {
        const res = await get(path, wrong);
        expect(res.status, `${path} ${wrong}`).toBe(401);
        expect(res.headers.get('www-authenticate'), path).toBe('Bearer realm="aset-reports", error="invalid_token"');
        expect(JSON.stringify(await res.json())).not.toContain(TOKEN);
      }
    }
  });

  it('serves every route with the token', async () => {
    const auth = `Bearer ${TOKEN}`;
    expect(((await (await get('/runs', auth)).json()) as { runs: { runId: string }[] }).runs.map((r) => r.runId)).toEqual(['acc-1']);
    for (const path of GUARDED.filter((p) => p !== '/no-such-route')) expect((await get(path, auth)).status, path).toBe(200);
    expect((await get('/no-such-route', auth)).status).toBe(404);
    expect((await get('/runs', `bearer ${TOKEN}`)).status).toBe(200);
    const doc = (await (await get('/docs-json', auth)).json()) as { security?: unknown; components?: { securitySchemes?: Record<string, unknown> } };
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components?.securitySchemes?.['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('leaves /health, /metrics and the dashboard page (no data) open, and only those exact paths', async () => {
    for (const path of ['/health', '/metrics', '/dashboard', '/dashboard?runs=acc-1']) expect((await get(path)).status, path).toBe(200);
    for (const path of ['/runs/../health', '/dashboard/view/..', '/health/../runs', '/DASHBOARD/view?runs=acc-1', '/metrics/']) {
      expect(await rawGetAt(store.base, path), path).toBe(401);
    }
  });

  it('reads through the reporting role, read-only: a write through the reports DataSource is refused', async () => {
    const reports = store.app.get<DataSource>(getDataSourceToken(REPORTS_DATA_SOURCE));
    expect(await reports.query(`SELECT current_user AS role, count(*)::int AS n FROM queries`)).toEqual([{ role: REPORTING_ROLE, n: 1 }]);
    const runner = reports.createQueryRunner();
    try {
      await runner.query('BEGIN READ WRITE');
      await expect(runner.query(`DELETE FROM queries`)).rejects.toThrow(/permission denied for table queries/);
      await runner.query('ROLLBACK');
    } finally {
      await runner.release();
    }
    await expect(reports.query(`DELETE FROM queries`)).rejects.toThrow(/read-only transaction/);
    expect(Number((await store.sql.query(`SELECT count(*) AS n FROM queries`)).rows[0].n)).toBe(1);
  });
});

describe('reports through a login of their own (REPORTS_DATABASE_URL), in-process store', () => {
  const suffix = randomBytes(4).toString('hex');
  const member = `aset_reports_member_${suffix}`;
  const outsider = `aset_reports_outsider_${suffix}`;
  const password = randomBytes(12).toString('hex');
  let store: StoreHarness | undefined;
  /** Runs `sql` on the test server's admin connection (roles are cluster-wide). */
  const asAdmin = async (sql: string) => {
    const admin = new pg.Client({ connectionString: process.env['ASET_TEST_DATABASE_URL'] });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  /** Migrates the fresh database (so that the reporting role exists), creates a login in the role and one outside it, and points REPORTS_DATABASE_URL at `login`. */
  const prepare = (login: string) => async (database: { url: string }) => {
    const migrate = new DataSource(metricsDataSourceOptions(database.url));
    await migrate.initialize();
    await migrate.runMigrations({ transaction: 'all' });
    await migrate.destroy();
    await asAdmin(`DROP ROLE IF EXISTS ${member}; DROP ROLE IF EXISTS ${outsider};
                   CREATE ROLE ${member} LOGIN PASSWORD '${password}' IN ROLE ${REPORTING_ROLE}; CREATE ROLE ${outsider} LOGIN PASSWORD '${password}'`);
    const url = new URL(database.url);
    Object.assign(url, { username: login, password });
    return { REPORTS_DATABASE_URL: url.toString() };
  };

  afterAll(async () => {
    await store?.close();
    await asAdmin(`DROP ROLE IF EXISTS ${member}; DROP ROLE IF EXISTS ${outsider}`);
  });

  it('refuses to start, naming REPORTS_DATABASE_URL, when its login is not a member of the reporting role', async () => {
    await expect(startStore('outsider', prepare(outsider))).rejects.toThrow(
      /REPORTS_DATABASE_URL: its login may not read as aset_reporting \(permission denied to set role "aset_reporting"\); expected a login that is a member of aset_reporting/,
    );
  });

  it('reads every report through that login, as the reporting role', async () => {
    store = await startStore('member', prepare(member));
    await publishRunStarted(store.bus, 'own-1', { policy: 'closest', startedMs: 0 });
    await waitForCount(store.sql, `SELECT count(*) AS n FROM runs`, 1);
    const reports = store.app.get<DataSource>(getDataSourceToken(REPORTS_DATA_SOURCE));
    expect(await reports.query(`SELECT session_user AS login, current_user AS role`)).toEqual([{ login: member, role: REPORTING_ROLE }]);
    const res = await fetch(`${store.base}/runs`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { runs: { runId: string }[] }).runs.map((r) => r.runId)).toEqual(['own-1']);
  });
});
