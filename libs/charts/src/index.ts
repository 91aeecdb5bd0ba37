export { lineChartSvg, type Series } from './line-chart.svg.js';
export { barChartSvg } from './bar-chart.svg.js';
export { cdfChartSvg } from './cdf-chart.svg.js';
export { categoryColor, legendWidthFor } from './chart.palette.js';
export { escapeMarkup } from './svg.markup.js';
