export * from './arrival.process.js';
export * from './arrival.schedule.js';
export * from './input.sampler.js';
export * from './latency.summary.js';
export * from './query-record.builder.js';
export * from './run.report.js';
export * from './slo.verdict.js';
