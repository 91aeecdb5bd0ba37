import { DataSource } from 'typeorm';
import { metricsDataSourceOptions } from '@aset/ingestion';

/**
 * For the TypeORM CLI: `npm run db:migrate -w @aset/metrics-store` (reads DATABASE_URL). The schema,
 * its entities and migrations live in `@aset/ingestion`; the service itself runs pending migrations at start.
 */
export default new DataSource(metricsDataSourceOptions(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/aset'));
