export { figureSvg, FigureSpecError, type FigureSpec } from './figure.render.js';
export { FIGURE_CONFIG, FIGURE_FONT, FIGURE_SIZE } from './figure.theme.js';
export type { FigureAxis, FigureMarker } from './figure.axis.js';
export { lineChartSpec, type LineChartOptions, type Series } from './line-chart.vega.js';
export { cdfChartSpec, type CdfSeries } from './cdf-chart.vega.js';
export { barChartSpec, type BarSeries } from './bar-chart.vega.js';
export { intervalChartSpec, type CategoryMarker, type IntervalSeries } from './interval-chart.vega.js';
export { categoryColor } from './chart.palette.js';
export { escapeMarkup } from './svg.markup.js';
