import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { createTestDatabase, dropTestDatabase } from '@aset/service-kit/testing';
import { METRICS_MIGRATIONS, REPORTING_ROLE, metricsDataSourceOptions } from '../src/index.js';

const TABLES = ['cluster_samples', 'queries', 'run_parts', 'runs', 'scheduling_decisions'];
const VIEWS = ['report_by_app', 'report_by_cluster', 'report_by_policy', 'report_by_second', 'report_latency_by_policy', 'report_measured_queries'];
const INDEXES = ['cluster_samples_at_idx', 'queries_run_app_idx', 'queries_run_cluster_idx', 'queries_run_created_idx', 'queries_run_policy_idx'];

describe('metrics store migrations', () => {
  let db: DataSource;
  let dbName: string;

  beforeAll(async () => {
    const testDb = await createTestDatabase('migrations');
    dbName = testDb.name;
    db = new DataSource(metricsDataSourceOptions(testDb.url));
    await db.initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await dropTestDatabase(dbName);
  });

  const names = async (sql: string) => ((await db.query(sql)) as { name: string }[]).map((r) => r.name);
  const schema = async () => ({
    tables: await names(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'typeorm_migrations' ORDER BY 1`),
    views: await names(`SELECT table_name AS name FROM information_schema.views WHERE table_schema = 'public' ORDER BY 1`),
    indexes: await names(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations' AND indexname NOT LIKE '%pkey' ORDER BY 1`),
  });

  it('builds the reporting schema', async () => {
    expect(await db.runMigrations({ transaction: 'all' })).toHaveLength(METRICS_MIGRATIONS.length);
    expect(await schema()).toEqual({ tables: TABLES, views: VIEWS, indexes: INDEXES });
    expect(await db.showMigrations()).toBe(false);
  });

  /** Reverts the newest migrations, down to and including `name`. */
  const undoThrough = async (name: string) => {
    for (;;) {
      const [last] = (await db.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`)) as { name: string }[];
      await db.undoLastMigration({ transaction: 'all' });
      if (last?.name === name) return;
    }
  };

  it('adds and removes the parts of split runs (run_parts, runs.part_count)', async () => {
    const partColumns = async () =>
      names(`SELECT table_name || '.' || column_name AS name FROM information_schema.columns
              WHERE table_schema = 'public' AND (table_name = 'run_parts' OR column_name = 'part_count') ORDER BY 1`);
    const columns = ['run_parts.finished_at', 'run_parts.generator_metrics', 'run_parts.part_id', 'run_parts.query_count', 'run_parts.run_id', 'run_parts.sources', 'run_parts.started_at', 'runs.part_count'];
    expect(await partColumns()).toEqual(columns);
    await undoThrough('RunParts1765065600000');
    expect(await partColumns()).toEqual([]);
    expect((await schema()).tables).toEqual(TABLES.filter((t) => t !== 'run_parts'));
    await db.runMigrations({ transaction: 'all' });
    expect(await partColumns()).toEqual(columns);
    const keys = await names(`SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                               WHERE i.indrelid = 'run_parts'::regclass AND i.indisprimary ORDER BY 1`);
    expect(keys).toEqual(['part_id', 'run_id']);
  });

  it("adds and removes the generators' final metrics (runs.generator_metrics, run_parts.generator_metrics)", async () => {
    const metricColumns = async () =>
      names(`SELECT table_name || '.' || column_name || ':' || data_type AS name FROM information_schema.columns
              WHERE table_schema = 'public' AND column_name = 'generator_metrics' ORDER BY 1`);
    const columns = ['run_parts.generator_metrics:jsonb', 'runs.generator_metrics:jsonb'];
    expect(await metricColumns()).toEqual(columns);
    await undoThrough('GeneratorMetrics1765238400000');
    expect(await metricColumns()).toEqual([]);
    await db.runMigrations({ transaction: 'all' });
    expect(await metricColumns()).toEqual(columns);
  });

  it('reverts every migration, and applies them again', async () => {
    for (let i = 0; i < METRICS_MIGRATIONS.length; i++) await db.undoLastMigration({ transaction: 'all' });
    expect(await schema()).toEqual({ tables: [], views: [], indexes: [] });
    // Roles are cluster-wide: the reporting role is dropped unless another database or a login still uses it.
    const [role] = (await db.query(
      `SELECT r.oid IS NULL AS dropped,
              EXISTS (SELECT FROM pg_shdepend d WHERE d.refclassid = 'pg_authid'::regclass AND d.refobjid = r.oid)
              OR EXISTS (SELECT FROM pg_auth_members m WHERE m.roleid = r.oid) AS used
         FROM (SELECT NULL) x LEFT JOIN pg_roles r ON r.rolname = $1`,
      [REPORTING_ROLE],
    )) as { dropped: boolean; used: boolean | null }[];
    expect(role?.dropped || role?.used).toBe(true);
    await db.runMigrations({ transaction: 'all' });
    expect(await schema()).toEqual({ tables: TABLES, views: VIEWS, indexes: INDEXES });
  });
});
