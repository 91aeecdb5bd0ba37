import { DataSource, type DataSourceOptions } from 'typeorm';
import { REPORTING_ROLE } from '@aset/ingestion';
import { ConfigurationError } from '@aset/service-kit';

/**
 * Name of the metrics store's read-only DataSource (`reportingDataSourceOptions`): every report
 * query of the reports API and dashboard goes through it (`@InjectDataSource(REPORTS_DATA_SOURCE)`).
 */
export const REPORTS_DATA_SOURCE = 'reports';

/**
 * Initialises the reports' DataSource. A login that may not act as the reporting role is a
 * configuration error naming `variable` (the URL it came from), not a connection failure to retry.
 */
export async function openReportsDataSource(options: DataSourceOptions, variable: 'REPORTS_DATABASE_URL' | 'DATABASE_URL'): Promise<DataSource> {
  try {
    return await new DataSource(options).initialize();
  } catch (e) {
    if ((e as { code?: unknown }).code === '42501') {
      throw new ConfigurationError(
        `invalid configuration for metrics-store:\n  ${variable}: its login may not read as ${REPORTING_ROLE} (${e instanceof Error ? e.message : String(e)}); expected a login that is a member of ${REPORTING_ROLE} (docs/reporting.md, "Read-only access for analysts")`,
      );
    }
    throw e;
  }
}
