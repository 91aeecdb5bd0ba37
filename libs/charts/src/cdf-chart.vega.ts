import { lineChartSpec } from './line-chart.vega.js';
import type { FigureMarker } from './figure.axis.js';
import type { FigureSpec } from './figure.render.js';

/** One distribution of a CDF chart: points (value, fraction of samples at or below it), fractions in [0, 1]. */
export interface CdfSeries {
  label: string;
  color: string;
  points: readonly (readonly [value: number, fraction: number])[];
  dashed?: boolean;
}

/**
 * Cumulative distribution functions as a line chart ({@link lineChartSpec}): x the value on a log
 * axis by default (latencies span decades: a linear axis squeezes most of them against its left
 * edge), y the fraction of samples at or below it from 0% to 100%. Points are joined in order of
 * value; markers (SLO deadlines) are vertical rules.
 */
export function cdfChartSpec(o: { title: string; subtitle?: string | readonly string[]; series: readonly CdfSeries[]; xTitle?: string; yTitle?: string; xScale?: 'linear' | 'log'; markers?: readonly FigureMarker[]; width?: number; height?: number }): FigureSpec {
  return lineChartSpec({
    title: o.title,
    ...(o.subtitle ? { subtitle: o.subtitle } : {}),
    x: { title: o.xTitle ?? 'latency (ms)', scale: o.xScale ?? 'log' },
    y: { title: o.yTitle ?? 'fraction at or below', format: 'percent', domain: [0, 1] },
    series: o.series.map((s) => ({ ...s, points: [...s.points].sort((a, b) => a[0] - b[0] || a[1] - b[1]) })),
    ...(o.markers ? { markers: o.markers } : {}),
    ...(o.width ? { width: o.width } : {}),
    ...(o.height ? { height: o.height } : {}),
  });
}
