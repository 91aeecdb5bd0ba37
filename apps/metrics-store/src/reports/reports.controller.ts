import { Controller, Get, Inject, NotFoundException, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Identifier, type RunSummary } from '@aset/contracts';
import { ZodParamsPipe } from '@aset/service-kit';
import { runSummary } from './run-summary.query.js';

const SummaryParams = z.object({ run: Identifier });

@Controller('reports')
export class ReportsController {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** `GET /reports/summary?run=<id>`: per policy, query count, success ratio, drops and latency percentiles. */
  @Get('summary')
  async summary(@Query(new ZodParamsPipe(SummaryParams)) params: z.infer<typeof SummaryParams>): Promise<RunSummary> {
    const summary = await runSummary(this.db, params.run);
    if (!summary) throw new NotFoundException(`run "${params.run}" is not in the metrics store`);
    return summary;
  }
}
