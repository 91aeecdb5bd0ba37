import { Controller, Get, Header, NotFoundException, Param, StreamableFile } from '@nestjs/common';
import type { FigureSpec } from '@aset/charts';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REPORTS_DATA_SOURCE } from '../reporting/reports.data-source.js';
import { ZodQuery } from '../api/zod-params.decorator.js';
import { UnknownRunsError, loadRunComparison } from '../reporting/run-comparison.query.js';
import { comparisonView, type ChartKey, type ComparisonSections } from '../html-report/run-comparison.view.js';
import { DashboardViewQuery, type DashboardViewParams } from './dashboard-params.schema.js';
import { dashboardHtml } from './dashboard.page.js';
import { FIGURE_SCRIPTS, figureScript } from './figure-scripts.asset.js';

/** `GET /dashboard/view`: the selected runs' comparison, rendered, for the dashboard page to show. */
export interface DashboardView {
  runIds: string[];
  bucketMs: number;
  /** Query rows stored for these runs (warm-up included): grows while a run is ingested. */
  storedQueries: number;
  sections: ComparisonSections;
  /** The charts' figures (Vega-Lite specs with their data), which the page embeds in each section's `<figure data-chart>` at the window's width. */
  figures: Partial<Record<ChartKey, FigureSpec>>;
}

/**
 * The live dashboard: `GET /dashboard` is a page that lists runs from `GET /runs` and, every 2 s,
 * fetches `GET /dashboard/view` for the picked ones: the same sections, figures and SQL as the
 * HTML report (`npm run report`), the figures drawn in the browser by vega-embed from
 * `GET /dashboard/assets/<script>` (this store serves them: no external resource).
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

  /** The figure scripts the page loads ({@link FIGURE_SCRIPTS}); 404 for any other name. Open like the page: they hold no run data. */
  @Get('assets/:name')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  asset(@Param('name') name: string): StreamableFile {
    const bytes = figureScript(name);
    if (!bytes) throw new NotFoundException(`no dashboard asset ${JSON.stringify(name)}: the assets are ${FIGURE_SCRIPTS.map((s) => s.name).join(', ')}`);
    return new StreamableFile(bytes);
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
        ...comparisonView(comparison),
      };
    } catch (e) {
      if (e instanceof UnknownRunsError) throw new NotFoundException(e.message);
      throw e;
    }
  }
}
