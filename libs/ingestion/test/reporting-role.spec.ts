import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, dropTestDatabase } from '@aset/service-kit/testing';
import { METRICS_MIGRATIONS, REPORTING_ROLE, metricsDataSourceOptions, reportingDataSourceOptions } from '../src/index.js';

const TABLES = ['cluster_samples', 'queries', 'run_parts', 'runs', 'scheduling_decisions'];
const VIEWS = ['report_by_app', 'report_by_cluster', 'report_by_policy', 'report_by_second', 'report_latency_by_policy', 'report_measured_queries'];
const WRITES = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
const INSERT_RUN = `INSERT INTO runs (run_id, scenario, policy, seed, code_version, parameters, started_at) VALUES ('w', 's', 'p', 1, 'v', '{}', now())`;

/** The PostgreSQL error code of a rejected promise. */
async function sqlState(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected the statement to fail').toBeDefined();
  return String((e as { code?: unknown; driverError?: { code?: unknown } }).driverError?.code ?? (e as { code?: unknown }).code);
}

describe(`the read-only reporting role (${REPORTING_ROLE}), on the shared test server`, () => {
  const databases: { name: string; url: string }[] = [];
  let store: DataSource;
  let reports: DataSource;
  let other: DataSource;
  const login = `aset_reports_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');

  beforeAll(async () => {
    databases.push(await createTestDatabase('role_a'), await createTestDatabase('role_b'));
    const [a, b] = databases as [{ name: string; url: string }, { name: string; url: string }];
    store = new DataSource(metricsDataSourceOptions(a.url));
    other = new DataSource(metricsDataSourceOptions(b.url));
    await Promise.all([store.initialize(), other.initialize()]);
    // Both databases at once: the role is created once on the server, whichever migration gets there first.
    await Promise.all([store.runMigrations({ transaction: 'all' }), other.runMigrations({ transaction: 'all' })]);
    reports = new DataSource(reportingDataSourceOptions(a.url));
    await reports.initialize();
  });

  afterAll(async () => {
    await reports?.destroy();
    await store?.destroy();
    await other?.destroy();
    const admin = new pg.Client({ connectionString: databases[0]?.url });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${login}`);
    await admin.end();
    for (const d of databases) await dropTestDatabase(d.name);
  });

  const privileges = async (db: DataSource, relation: string) =>
    ((await db.query(`SELECT p FROM unnest($1::text[]) p WHERE has_table_privilege($2, $3, p)`, [['SELECT', ...WRITES], REPORTING_ROLE, relation])) as { p: string }[]).map((r) => r.p);
  const connectGranted = async (db: DataSource) =>
    ((await db.query(`SELECT count(*)::int AS n FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database() AND a.grantee = $1::regrole AND a.privilege_type = 'CONNECT'`, [REPORTING_ROLE])) as { n: number }[])[0]?.n;

  it('is a NOLOGIN role with CONNECT, schema USAGE and SELECT on every table and view, and no write privilege', async () => {
    const [role] = (await store.query(`SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1`, [REPORTING_ROLE])) as Record<string, boolean>[];
    expect(role).toEqual({ rolcanlogin: false, rolsuper: false, rolcreaterole: false, rolcreatedb: false });
    for (const relation of [...TABLES, ...VIEWS]) expect(await privileges(store, relation), relation).toEqual(['SELECT']);
    expect(await connectGranted(store)).toBe(1);
    const [schema] = (await store.query(`SELECT has_schema_privilege($1, 'public', 'USAGE') AS usage, has_schema_privilege($1, 'public', 'CREATE') AS create`, [REPORTING_ROLE])) as Record<string, boolean>[];
    expect(schema).toEqual({ usage: true, create: false });
  });

  it("confines the reports' DataSource to the role, read-only: reads work, writes fail even in a read-write transaction", async () => {
    await store.query(INSERT_RUN.replace("'w'", "'r1'"));
    expect(await reports.query(`SELECT current_user AS role, current_setting('default_transaction_read_only') AS ro`)).toEqual([{ role: REPORTING_ROLE, ro: 'on' }]);
    expect(await reports.query(`SELECT run_id FROM runs`)).toEqual([{ run_id: 'r1' }]);
    expect(await reports.query(`SELECT count(*)::int AS n FROM report_by_policy`)).toEqual([{ n: 0 }]);
    expect(await sqlState(reports.query(INSERT_RUN))).toBe('25006'); // read_only_sql_transaction
    const runner = reports.createQueryRunner();
    try {
      await runner.query('BEGIN READ WRITE');
      expect(await sqlState(runner.query(INSERT_RUN))).toBe('42501'); // insufficient_privilege: permission denied for table runs
      await runner.query('ROLLBACK');
      for (const write of [`UPDATE runs SET policy = 'x'`, `DELETE FROM queries`, `TRUNCATE cluster_samples`, `CREATE TABLE scratch (x int)`, `DROP VIEW report_by_app`]) {
        await runner.query('BEGIN READ WRITE');
        expect(await sqlState(runner.query(write)), write).toBe('42501');
        await runner.query('ROLLBACK');
      }
    } finally {
      await runner.release();
    }
    expect(await store.query(`SELECT run_id FROM runs`)).toEqual([{ run_id: 'r1' }]);
  });

  it('covers tables and views created later by the migrating role (default privileges)', async () => {
    await store.query(`CREATE TABLE later_table (x int)`);
    await store.query(`CREATE VIEW later_view AS SELECT x FROM later_table`);
    try {
      expect(await privileges(store, 'later_table')).toEqual(['SELECT']);
      expect(await reports.query(`SELECT count(*)::int AS n FROM later_view`)).toEqual([{ n: 0 }]);
    } finally {
      await store.query(`DROP VIEW later_view`);
      await store.query(`DROP TABLE later_table`);
    }
  });

  it('serves a dedicated login that is a member of the role, which can read but not write', async () => {
    await store.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' IN ROLE ${REPORTING_ROLE}`);
    const url = new URL(databases[0]!.url);
    url.username = login;
    url.password = password;
    const direct = new pg.Client({ connectionString: url.toString() });
    await direct.connect();
    try {
      expect((await direct.query(`SELECT run_id FROM runs`)).rows).toEqual([{ run_id: 'r1' }]);
      expect(await sqlState(direct.query(INSERT_RUN))).toBe('42501');
    } finally {
      await direct.end();
    }
    const asLogin = new DataSource(reportingDataSourceOptions(url.toString()));
    await asLogin.initialize();
    try {
      expect(await asLogin.query(`SELECT session_user AS login, current_user AS role FROM runs`)).toEqual([{ login, role: REPORTING_ROLE }]);
    } finally {
      await asLogin.destroy();
    }
  });

  it("down revokes this database's grants only; the role stays while another database or a login uses it", async () => {
    // Reverts the newest migrations, down to and including the role's.
    const undo = async () => {
      for (let i = 0; i < METRICS_MIGRATIONS.length; i++) {
        const [last] = (await store.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`)) as { name: string }[];
        await store.undoLastMigration({ transaction: 'all' });
        if (last?.name === 'ReportingRole1765152000000') return;
      }
      throw new Error('the reporting role migration was not applied');
    };
    await undo();
    for (const relation of [...TABLES, ...VIEWS]) expect(await privileges(store, relation), relation).toEqual([]);
    expect(await connectGranted(store)).toBe(0);
    expect(await store.query(`SELECT count(*)::int AS n FROM pg_default_acl WHERE $1::regrole::oid = ANY (SELECT (aclexplode(defaclacl)).grantee)`, [REPORTING_ROLE])).toEqual([{ n: 0 }]);
    expect(await store.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1`, [REPORTING_ROLE])).toEqual([{ n: 1 }]);
    expect(await privileges(other, 'queries')).toEqual(['SELECT']);
    expect(await connectGranted(other)).toBe(1);
    // Up again: the role exists, grants come back.
    await store.runMigrations({ transaction: 'all' });
    for (const relation of [...TABLES, ...VIEWS]) expect(await privileges(store, relation), relation).toEqual(['SELECT']);
    expect(await connectGranted(store)).toBe(1);
    expect(await reports.query(`SELECT run_id FROM runs`)).toEqual([{ run_id: 'r1' }]);
  });
});
