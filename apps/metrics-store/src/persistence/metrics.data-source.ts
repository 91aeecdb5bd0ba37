import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { RunEntity } from './run.entity.js';
import { QueryEntity } from './query.entity.js';
import { SchedulingDecisionEntity } from './scheduling-decision.entity.js';
import { ClusterSampleEntity } from './cluster-sample.entity.js';
import { InitialSchema1764136800000 } from './1764136800000-initial-schema.migration.js';
import { EmulatedNetwork1764201600000 } from './1764201600000-emulated-network.migration.js';
import { ReceivedAt1764288000000 } from './1764288000000-received-at.migration.js';
import { ReportingTables1764374400000 } from './1764374400000-reporting-tables.migration.js';
import { ReportViews1764374400001 } from './1764374400001-report-views.migration.js';

/** Every migration, in order. Add new ones at the end; never edit a released one. */
export const MIGRATIONS = [
  InitialSchema1764136800000,
  EmulatedNetwork1764201600000,
  ReceivedAt1764288000000,
  ReportingTables1764374400000,
  ReportViews1764374400001,
];
export const ENTITIES = [RunEntity, QueryEntity, SchedulingDecisionEntity, ClusterSampleEntity];

/** Options for the metrics store's schema. Schema changes happen through migrations only. */
export function metricsDataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: 10, application_name: 'aset-metrics-store' },
  };
}

/**
 * For the TypeORM CLI: `npm run db:migrate -w @aset/metrics-store` (reads DATABASE_URL).
 * The service itself runs pending migrations at start.
 */
export default new DataSource(metricsDataSourceOptions(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/aset'));
