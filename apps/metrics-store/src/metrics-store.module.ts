import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { BusModule, HEALTH_CHECKS, ObservabilityModule } from '@aset/service-kit';
import { validateMetricsStoreEnv, type MetricsStoreEnv } from './metrics-store.config.js';
import { metricsDataSourceOptions } from './persistence/metrics.data-source.js';
import { RecordIngestor } from './ingestion/record.ingestor.js';
import { ReportsController } from './reports/reports.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateMetricsStoreEnv }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      // Pending migrations run at start; the schema is never synchronized from entities.
      useFactory: (config: ConfigService<MetricsStoreEnv, true>) => ({
        ...metricsDataSourceOptions(config.get('DATABASE_URL', { infer: true })),
        migrationsRun: true,
        retryAttempts: 3,
      }),
    }),
    BusModule.forService('metrics-store'),
    ObservabilityModule.forRoot({
      checks: {
        provide: HEALTH_CHECKS,
        inject: [TypeOrmHealthIndicator],
        useFactory: (db: TypeOrmHealthIndicator) => [() => db.pingCheck('database')],
      },
    }),
  ],
  controllers: [ReportsController],
  providers: [RecordIngestor],
})
export class MetricsStoreModule {}
