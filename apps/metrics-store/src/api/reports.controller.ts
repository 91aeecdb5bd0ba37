import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REPORTS_DATA_SOURCE } from '../reporting/reports.data-source.js';
import type { z } from 'zod';
import { RunSummarySchema, type RunSummary } from '@aset/contracts';
import { runSummary } from '../reporting/run-summary.query.js';
import { SummaryQuery } from '../reporting/report-params.schema.js';
import { BadRequestSchema, NotFoundSchema } from '../reporting/report-responses.schema.js';
import { ZodQuery } from './zod-params.decorator.js';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(@InjectDataSource(REPORTS_DATA_SOURCE) private readonly db: DataSource) {}

  /** `GET /reports/summary?run=<id>`: the run as `GET /runs` lists it, and per policy the figures of `GET /runs/:runId/summary`. */
  @Get('summary')
  @ApiOperation({ summary: 'Per-policy summary of a run (the testbed prints it after a demo run)' })
  @ApiOkResponse({ standardSchema: RunSummarySchema })
  @ApiBadRequestResponse({ description: 'run is missing or invalid', standardSchema: BadRequestSchema })
  @ApiNotFoundResponse({ description: 'no run record for this run', standardSchema: NotFoundSchema })
  async summary(@ZodQuery(SummaryQuery) params: z.infer<typeof SummaryQuery>): Promise<RunSummary> {
    const summary = await runSummary(this.db, params.run);
    if (!summary) throw new NotFoundException(`run "${params.run}" is not in the metrics store`);
    return summary;
  }
}
