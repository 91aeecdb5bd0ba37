import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REPORTS_DATA_SOURCE } from '../reporting/reports.data-source.js';
import type { z } from 'zod';
import { BreakdownQuery, BucketQuery, LatencyCdfQuery, LatencyQuery, RunListQuery, RunParams, cdfFractions } from '../reporting/report-params.schema.js';
import {
  BadRequestSchema,
  ClusterUtilisationSchema,
  DecisionReportSchema,
  LatencyCdfSchema,
  LatencyReportSchema,
  NotFoundSchema,
  RunBreakdownSchema,
  RunListSchema,
  TimeseriesSchema,
  type ClusterUtilisation,
  type DecisionReport,
  type LatencyCdf,
  type LatencyReport,
  type RunBreakdown,
  type RunList,
  type Timeseries,
} from '../reporting/report-responses.schema.js';
import { ZodQuery, ZodRoute } from './zod-params.decorator.js';
import { listRuns, runExists } from '../reporting/run-list.query.js';
import { runBreakdown, runLatency, runTimeseries } from '../reporting/run-outcomes.query.js';
import { runClusterUtilisation } from '../reporting/run-clusters.query.js';
import { runLatencyCdf } from '../reporting/run-latency-cdf.query.js';
import { runDecisions } from '../reporting/run-decisions.query.js';

type Run = z.infer<typeof RunParams>;

/**
 * Per-run reports over the measured (non-warm-up) queries, computed in SQL. Every parameter is
 * validated (a 400 names it); a run the store knows nothing of is a 404.
 */
@ApiTags('runs')
@ApiBadRequestResponse({ description: 'a parameter is invalid; the message names it', standardSchema: BadRequestSchema })
@Controller('runs')
export class RunsController {
  constructor(@InjectDataSource(REPORTS_DATA_SOURCE) private readonly db: DataSource) {}

  @Get()
  @ApiOperation({ summary: 'Runs, newest first, with their stored and expected query counts' })
  @ApiOkResponse({ standardSchema: RunListSchema })
  list(@ZodQuery(RunListQuery) query: z.infer<typeof RunListQuery>): Promise<RunList> {
    return listRuns(this.db, query.limit);
  }

  @Get(':runId/summary')
  @ApiOperation({ summary: 'Query count, success ratio, drops, errors, timeouts and p50/p95/p99 latency per policy, app or cluster' })
  @ApiOkResponse({ standardSchema: RunBreakdownSchema })
  @ApiNotFoundResponse({ description: 'unknown run', standardSchema: NotFoundSchema })
  async summary(@ZodRoute(RunParams) run: Run, @ZodQuery(BreakdownQuery) query: z.infer<typeof BreakdownQuery>): Promise<RunBreakdown> {
    await this.requireRun(run.runId);
    return runBreakdown(this.db, run.runId, query.by);
  }

  @Get(':runId/latency')
  @ApiOperation({ summary: 'Latency percentiles of completed queries per policy' })
  @ApiOkResponse({ standardSchema: LatencyReportSchema })
  @ApiNotFoundResponse({ description: 'unknown run', standardSchema: NotFoundSchema })
  async latency(@ZodRoute(RunParams) run: Run, @ZodQuery(LatencyQuery) query: z.infer<typeof LatencyQuery>): Promise<LatencyReport> {
    await this.requireRun(run.runId);
    return runLatency(this.db, run.runId, query.percentiles);
  }

  @Get(':runId/latency-cdf')
  @ApiOperation({ summary: 'Latency CDF of completed queries per policy: latency quantiles at evenly spaced fractions from 0 to 1' })
  @ApiOkResponse({ standardSchema: LatencyCdfSchema })
  @ApiNotFoundResponse({ description: 'unknown run', standardSchema: NotFoundSchema })
  async latencyCdf(@ZodRoute(RunParams) run: Run, @ZodQuery(LatencyCdfQuery) query: z.infer<typeof LatencyCdfQuery>): Promise<LatencyCdf> {
    await this.requireRun(run.runId);
    return runLatencyCdf(this.db, run.runId, cdfFractions(query.points));
  }

  @Get(':runId/timeseries')
  @ApiOperation({ summary: 'Queries, success ratio and p95 latency per time bucket (of creation) and policy' })
  @ApiOkResponse({ standardSchema: TimeseriesSchema })
  @ApiNotFoundResponse({ description: 'unknown run', standardSchema: NotFoundSchema })
  async timeseries(@ZodRoute(RunParams) run: Run, @ZodQuery(BucketQuery) query: z.infer<typeof BucketQuery>): Promise<Timeseries> {
    await this.requireRun(run.runId);
    return runTimeseries(this.db, run.runId, query.bucketMs);
  }

  @Get(':runId/clusters')
  @ApiOperation({ summary: 'Cluster utilisation (busy slots / slots) and queue length per cluster and time bucket during the run' })
  @ApiOkResponse({ standardSchema: ClusterUtilisationSchema })
  @ApiNotFoundResponse({ description: 'unknown run', standardSchema: NotFoundSchema })
  async clusters(@ZodRoute(RunParams) run: Run, @ZodQuery(BucketQuery) query: z.infer<typeof BucketQuery>): Promise<ClusterUtilisation> {
    await this.requireRun(run.runId);
    return runClusterUtilisation(this.db, run.runId, query.bucketMs);
  }

  @Get(':runId/decisions')
  @ApiOperation({ summary: "aset's step decisions: the static policy it chose for each step" })
  @ApiOkResponse({ standardSchema: DecisionReportSchema })
  @ApiNotFoundResponse({ description: 'unknown run', standardSchema: NotFoundSchema })
  async decisions(@ZodRoute(RunParams) run: Run): Promise<DecisionReport> {
    await this.requireRun(run.runId);
    return runDecisions(this.db, run.runId);
  }

  private async requireRun(runId: string): Promise<void> {
    if (!(await runExists(this.db, runId))) throw new NotFoundException(`run "${runId}" is not in the metrics store`);
  }
}
