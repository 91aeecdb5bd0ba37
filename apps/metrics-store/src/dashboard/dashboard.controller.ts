import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REPORTS_DATA_SOURCE } from '../reporting/reports.data-source.js';
import { ZodQuery } from '../api/zod-params.decorator.js';
import { UnknownRunsError, loadRunComparison } from '../reporting/run-comparison.query.js';
import { renderComparison, type ComparisonSections } from '../html-report/run-comparison.view.js';
import { DashboardViewQuery, type DashboardViewParams } from './dashboard-params.schema.js';
import { dashboardHtml } from './dashboard.page.js';

/** `GET /dashboard/view`: the selected runs' comparison, rendered, for the dashboard page to show. */
export interface DashboardView {
  runIds: string[];
  bucketMs: number;
  /** Query rows stored for these runs (warm-up included): grows while a run is ingested. */
  storedQueries: number;
  sections: ComparisonSections;
}

/**
 * The live dashboard: `GET /dashboard` is a page (no external resources) that lists runs from
 * `GET /runs` and, every 2 s, fetches `GET /dashboard/view` for the picked ones: the same
 * sections, charts and SQL as the HTML report (`npm run report`), rendered here.
 */
@Controller('dashboard')
export class DashboardController {
  constructor(@InjectDataSource(REPORTS_DATA_SOURCE) private readonly db: DataSource) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return dashboardHtml();
  }

  /** 400 naming a bad parameter; 404 listing the runs the store knows nothing of. */
  @Get('view')
  @Header('Cache-Control', 'no-store')
  async view(@ZodQuery(DashboardViewQuery) query: DashboardViewParams): Promise<DashboardView> {
    try {
      const comparison = await loadRunComparison(this.db, query.runs, { bucketMs: query.bucketMs });
      return {
        runIds: query.runs,
        bucketMs: query.bucketMs,
        storedQueries: comparison.runs.reduce((n, r) => n + (r.info?.storedQueries ?? 0), 0),
        sections: renderComparison(comparison),
      };
    } catch (e) {
      if (e instanceof UnknownRunsError) throw new NotFoundException(e.message);
      throw e;
    }
  }
}
