import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller.js';

/** The live dashboard page at `/dashboard`. Needs a TypeORM DataSource from the importing application. */
@Module({ controllers: [DashboardController] })
export class DashboardModule {}
