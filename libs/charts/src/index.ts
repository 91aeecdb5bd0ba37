export * from './line-chart.svg.js';
export * from './bar-chart.svg.js';
export * from './cdf-chart.svg.js';
export * from './chart.palette.js';
export * from './svg.markup.js';
