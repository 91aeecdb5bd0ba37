export * from './seed.statistics.js';
export * from './suite.catalog.js';
export * from './suite.report.js';
export * from './results.markdown.js';
