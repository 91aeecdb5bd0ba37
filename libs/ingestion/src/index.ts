// The metrics store's write side: the durable consumer, the batch writer and its COPY encoding, the
// heartbeat sampler, their metrics, and the schema they write (entities, migrations, DataSource options,
// and the read-only reporting role the reports read through).
export { RecordIngestor, DEFAULT_INGEST_OPTIONS, INGEST_OPTIONS, RECORD_SINK, type IngestOptions, type IngestStats } from './record.ingestor.js';
export { RecordWriter, isDataError, type RecordBatchContent, type RecordSink } from './record.writer.js';
export { QueryRows, QUERY_COPY_COLUMNS, UnwritableRecordError } from './query-copy.encoder.js';
export { writeDecisions, type DecisionTarget } from './decision.writer.js';
export { ClusterSampler } from './cluster.sampler.js';
export { writeClusterSamples } from './cluster-sample.writer.js';
export { IngestionMetrics } from './ingestion.metrics.js';
export { metricsDataSourceOptions, reportingDataSourceOptions, METRICS_MIGRATIONS, METRICS_ENTITIES } from './schema/metrics-schema.data-source.js';
export { REPORTING_ROLE } from './schema/reporting.role.js';
