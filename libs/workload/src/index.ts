export { arrivalClocks, buildArrivalSchedule, ArrivalMerger, type ArrivalSchedule } from './arrival.schedule.js';
export { InputSampler } from './input.sampler.js';
export { percentile, percentilesInPlace } from './latency.summary.js';
export { paceQueries } from './query.pacer.js';
export { buildQueryRecord, queryEndOf, type ReplyOutcome } from './query-record.builder.js';
export { buildRunReport, mergeRunReports, RunReportBuilder, type ReportedRecord, type RunReport } from './run.report.js';
export { sloMet } from './slo.verdict.js';
export { QUERY_CSV_COLUMNS, QUERY_CSV_HEADER, queryCsvRow } from './query-record.csv.js';
