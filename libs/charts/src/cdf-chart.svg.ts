import { lineChartSvg } from './line-chart.svg.js';

/** One distribution of a CDF chart: points (value, fraction of samples at or below it), fractions in [0, 1]. */
export interface CdfSeries {
  label: string;
  color: string;
  points: [value: number, fraction: number][];
  dashed?: boolean;
}

/**
 * Cumulative distribution functions as a self-contained SVG line chart ({@link lineChartSvg}):
 * x the value (latency in ms by default), y the fraction of samples at or below it from 0% to
 * 100%. The points are drawn in order of value, joined by straight lines (interpolated quantiles).
 */
export function cdfChartSvg(options: { title: string; series: CdfSeries[]; xLabel?: string; yLabel?: string; width?: number; height?: number; legendWidth?: number }): string {
  return lineChartSvg({
    ...options,
    xLabel: options.xLabel ?? 'latency (ms)',
    yLabel: options.yLabel ?? 'fraction at or below',
    yMin: 0,
    series: options.series.map((s) => ({ ...s, points: [...s.points].sort((a, b) => a[0] - b[0] || a[1] - b[1]) })),
  });
}
