import type { QueryRecord } from '@aset/contracts';

/**
 * The `queries` table's record columns, in the order {@link queryCopyLine} writes them (the table's
 * own schema: timestamps are timestamptz). Written independently of the metrics store's encoder, so
 * that comparing the two tables checks the store's path against a second implementation.
 */
export const QUERY_TABLE_COLUMNS = [
  'run_id',
  'query_id',
  'app',
  'source',
  'task',
  'policy',
  'cluster_id',
  'variant_id',
  'status',
  'reason',
  'detail',
  'created_at',
  'dispatched_at',
  'received_at',
  'started_at',
  'finished_at',
  'completed_at',
  'emulated_network_ms',
  'latency_ms',
  'slo_max_latency_ms',
  'slo_min_accuracy',
  'slo_met',
  'warmup',
  'prediction',
  'label',
] as const;

/** The timestamptz columns among them. */
export const QUERY_TIMESTAMP_COLUMNS: ReadonlySet<string> = new Set(['created_at', 'dispatched_at', 'received_at', 'started_at', 'finished_at', 'completed_at']);

const NULL = '\\N';

/** COPY text format escaping: backslash, newline, carriage return, tab. */
export function copyText(v: string | null): string {
  if (v === null) return NULL;
  let out = '';
  for (const c of v) {
    out += c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : c;
  }
  return out;
}

/** Epoch milliseconds (fractions allowed) as an ISO 8601 UTC timestamp with microseconds, e.g. 2025-11-26T06:00:00.123456Z. */
export function isoMicros(ms: number | null): string {
  if (ms === null) return NULL;
  const us = Math.round(ms * 1000);
  const wholeMs = Math.floor(us / 1000);
  return `${new Date(wholeMs).toISOString().slice(0, -1)}${String(us - wholeMs * 1000).padStart(3, '0')}Z`;
}

function value(v: number | boolean | null): string {
  if (v === null) return NULL;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return String(v);
}

/** One record as a COPY text line for `queries (QUERY_TABLE_COLUMNS)`, newline included. */
export function queryCopyLine(r: QueryRecord): string {
  return (
    [
      copyText(r.runId),
      copyText(r.queryId),
      copyText(r.app),
      copyText(r.source),
      copyText(r.task),
      copyText(r.policy),
      copyText(r.clusterId),
      copyText(r.variantId),
      copyText(r.status),
      copyText(r.reason),
      copyText(r.detail),
      isoMicros(r.createdAt),
      isoMicros(r.dispatchedAt),
      isoMicros(r.receivedAt),
      isoMicros(r.startedAt),
      isoMicros(r.finishedAt),
      isoMicros(r.completedAt),
      value(r.emulatedNetworkMs),
      value(r.latencyMs),
      value(r.sloMaxLatencyMs),
      value(r.sloMinAccuracy),
      value(r.sloMet),
      value(r.warmup),
      value(r.prediction),
      value(r.label),
    ].join('\t') + '\n'
  );
}
