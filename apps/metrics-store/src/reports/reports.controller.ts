import { Controller, Get, Inject, NotFoundException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Identifier, RunSummarySchema, type RunSummary } from '@aset/contracts';
import { runSummary } from './run-summary.query.js';
import { BadRequestSchema, NotFoundSchema } from './report-responses.schema.js';
import { ZodQuery } from './zod-params.decorator.js';

const SummaryParams = z.object({ run: Identifier.describe('run id: 1-64 characters of [A-Za-z0-9_-]') });

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** `GET /reports/summary?run=<id>`: per policy, query count, success ratio, drops and latency percentiles. */
  @Get('summary')
  @ApiOperation({ summary: 'Per-policy summary of a run (the testbed prints it after a demo run)' })
  @ApiOkResponse({ standardSchema: RunSummarySchema })
  @ApiBadRequestResponse({ description: 'run is missing or invalid', standardSchema: BadRequestSchema })
  @ApiNotFoundResponse({ description: 'no run record for this run', standardSchema: NotFoundSchema })
  async summary(@ZodQuery(SummaryParams) params: z.infer<typeof SummaryParams>): Promise<RunSummary> {
    const summary = await runSummary(this.db, params.run);
    if (!summary) throw new NotFoundException(`run "${params.run}" is not in the metrics store`);
    return summary;
  }
}
