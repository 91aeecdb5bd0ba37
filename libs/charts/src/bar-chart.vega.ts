import { FIGURE_SIZE, figureFrame } from './figure.theme.js';
import { axisEncoding, type FigureAxis } from './figure.axis.js';
import type { FigureSpec } from './figure.render.js';

export interface BarSeries {
  label: string;
  color: string;
  /** One value per category, in the categories' order (a missing one draws no bar). */
  values: readonly (number | undefined)[];
}

/**
 * Grouped bars as a Vega-Lite spec: one group per category, one bar per series in its colour, from
 * zero (bars always start at zero; for values compared near a ceiling use
 * {@link intervalChartSpec}). Each bar's tooltip names its category, series and value.
 */
export function barChartSpec(o: { title: string; subtitle?: string | readonly string[]; categories: readonly string[]; xTitle: string; y: FigureAxis; series: readonly BarSeries[]; height?: number }): FigureSpec {
  const rows = o.series.flatMap((s) => o.categories.flatMap((category, i) => (s.values[i] === undefined ? [] : [{ category, series: s.label, value: s.values[i] }])));
  const y = axisEncoding(o.y);
  const step = Math.max(14, Math.min(28, Math.floor(FIGURE_SIZE.width / Math.max(1, o.categories.length * (o.series.length + 1)))));
  return {
    ...figureFrame(o.title, o.subtitle),
    width: { step },
    height: o.height ?? FIGURE_SIZE.height,
    data: { values: rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'category', type: 'nominal', sort: [...o.categories], title: o.xTitle, axis: { labelAngle: 0 } },
      xOffset: { field: 'series', type: 'nominal', sort: o.series.map((s) => s.label) },
      y: { field: 'value', type: 'quantitative', ...y, scale: { ...y.scale, zero: true } },
      color: { field: 'series', type: 'nominal', scale: { domain: o.series.map((s) => s.label), range: o.series.map((s) => s.color) }, legend: { title: null } },
      tooltip: [
        { field: 'category', type: 'nominal', title: o.xTitle },
        { field: 'series', type: 'nominal' },
        { field: 'value', type: 'quantitative', title: o.y.title, format: o.y.format === 'percent' ? '.1%' : ',.3~f' },
      ],
    },
  } as unknown as FigureSpec;
}
