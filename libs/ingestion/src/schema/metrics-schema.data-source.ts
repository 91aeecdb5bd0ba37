import 'reflect-metadata';
import type { DataSourceOptions } from 'typeorm';
import { RunEntity } from './run.entity.js';
import { RunPartEntity } from './run-part.entity.js';
import { QueryEntity } from './query.entity.js';
import { SchedulingDecisionEntity } from './scheduling-decision.entity.js';
import { ClusterSampleEntity } from './cluster-sample.entity.js';
import { InitialSchema1764136800000 } from './1764136800000-initial-schema.migration.js';
import { EmulatedNetwork1764201600000 } from './1764201600000-emulated-network.migration.js';
import { ReceivedAt1764288000000 } from './1764288000000-received-at.migration.js';
import { ReportingTables1764374400000 } from './1764374400000-reporting-tables.migration.js';
import { ReportViews1764374400001 } from './1764374400001-report-views.migration.js';
import { RunHostUsage1764979200000 } from './1764979200000-run-host-usage.migration.js';
import { RunParts1765065600000 } from './1765065600000-run-parts.migration.js';
import { ReportingRole1765152000000 } from './1765152000000-reporting-role.migration.js';
import { GeneratorMetrics1765238400000 } from './1765238400000-generator-metrics.migration.js';
import { REPORTING_ROLE } from './reporting.role.js';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const METRICS_MIGRATIONS = [
  InitialSchema1764136800000,
  EmulatedNetwork1764201600000,
  ReceivedAt1764288000000,
  ReportingTables1764374400000,
  ReportViews1764374400001,
  RunHostUsage1764979200000,
  RunParts1765065600000,
  ReportingRole1765152000000,
  GeneratorMetrics1765238400000,
];
export const METRICS_ENTITIES = [RunEntity, RunPartEntity, QueryEntity, SchedulingDecisionEntity, ClusterSampleEntity];

/**
 * Options for a TypeORM DataSource on the metrics store's schema: its entities and migrations,
 * `synchronize` off (schema changes happen through migrations only), migrations not run by
 * themselves (the service sets `migrationsRun`; tools call `runMigrations()`).
 */
export function metricsDataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: METRICS_ENTITIES,
    migrations: METRICS_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: 10, application_name: 'aset-metrics-store' },
  };
}


/**
 * Options for the reports' DataSource (named `name`): the metrics store's entities, no migrations,
 * and every session confined to {@link REPORTING_ROLE} (`SET ROLE` at connection start) with
 * read-only transactions by default, so a report query can never write, even through the store's
 * own URL. `url`'s login must be the reporting role's member (or a superuser); a dedicated login
 * that is only a member of it (docs/reporting.md) is the least-privilege choice. Connections fail
 * until the migrations have created the role: initialise it after the store's DataSource.
 */
export function reportingDataSourceOptions(url: string, name?: string): DataSourceOptions {
  return {
    type: 'postgres',
    ...(name ? { name } : {}),
    url,
    entities: METRICS_ENTITIES,
    synchronize: false,
    migrationsRun: false,
    extra: { max: 5, application_name: 'aset-metrics-store-reports', options: `-c role=${REPORTING_ROLE} -c default_transaction_read_only=on` },
  };
}
