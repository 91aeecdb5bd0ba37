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

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const METRICS_MIGRATIONS = [
  InitialSchema1764136800000,
  EmulatedNetwork1764201600000,
  ReceivedAt1764288000000,
  ReportingTables1764374400000,
  ReportViews1764374400001,
  RunHostUsage1764979200000,
  RunParts1765065600000,
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

