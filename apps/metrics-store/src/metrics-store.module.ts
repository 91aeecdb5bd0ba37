import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { BusModule, ConfigurationError, HEALTH_CHECKS, ObservabilityModule, serviceConfigModule } from '@aset/service-kit';
import type { MetricsStoreEnv } from './metrics-store.config.js';
import { ClusterSampler, INGEST_OPTIONS, IngestionMetrics, RecordIngestor, metricsDataSourceOptions, reportingDataSourceOptions, type IngestOptions } from '@aset/ingestion';
import { REPORTS_DATA_SOURCE, openReportsDataSource } from './reporting/reports.data-source.js';
import { ReportsApiModule } from './api/reports-api.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';

@Module({})
export class MetricsStoreModule {
  /** The metrics store, configured by its validated environment (`validateMetricsStoreEnv`). */
  static forRoot(config: MetricsStoreEnv): DynamicModule {
    return {
      module: MetricsStoreModule,
      imports: [
        serviceConfigModule(config),
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          // Pending migrations run at start; the schema is never synchronized from entities.
          useFactory: (config: ConfigService<MetricsStoreEnv, true>) => ({
            ...metricsDataSourceOptions(config.get('DATABASE_URL', { infer: true })),
            migrationsRun: true,
            retryAttempts: 3,
          }),
        }),
        // The reports API and dashboard read through the read-only reporting role. Injecting the store's
        // DataSource orders this after its migrations, which create the role.
        TypeOrmModule.forRootAsync({
          name: REPORTS_DATA_SOURCE,
          inject: [ConfigService, DataSource],
          useFactory: (config: ConfigService<MetricsStoreEnv, true>) => ({
            ...reportingDataSourceOptions(config.get('REPORTS_DATABASE_URL', { infer: true }) ?? config.get('DATABASE_URL', { infer: true })),
            retryAttempts: 3,
            toRetry: (e: unknown) => !(e instanceof ConfigurationError),
          }),
          dataSourceFactory: (options) => openReportsDataSource(options as DataSourceOptions, config.REPORTS_DATABASE_URL ? 'REPORTS_DATABASE_URL' : 'DATABASE_URL'),
        }),
        BusModule.forService('metrics-store'),
        ObservabilityModule.forRoot({
          checks: {
            provide: HEALTH_CHECKS,
            inject: [TypeOrmHealthIndicator],
            useFactory: (db: TypeOrmHealthIndicator) => [() => db.pingCheck('database')],
          },
        }),
        ReportsApiModule,
        DashboardModule,
      ],
      providers: [
        {
          provide: INGEST_OPTIONS,
          inject: [ConfigService],
          useFactory: (config: ConfigService<MetricsStoreEnv, true>): Partial<IngestOptions> => ({
            maxBatch: config.get('INGEST_MAX_BATCH', { infer: true }),
            pullAhead: config.get('INGEST_PULL_AHEAD', { infer: true }),
            maxInFlight: config.get('INGEST_MAX_IN_FLIGHT', { infer: true }),
          }),
        },
        RecordIngestor,
        ClusterSampler,
        IngestionMetrics,
      ],
    };
  }
}
