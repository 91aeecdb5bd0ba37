import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { RunsController } from './runs.controller.js';

/**
 * The reports HTTP API: its controllers only. They need a TypeORM DataSource from the importing
 * application; OpenApiDocs describes this module's routes.
 */
@Module({ controllers: [ReportsController, RunsController] })
export class ReportsApiModule {}
