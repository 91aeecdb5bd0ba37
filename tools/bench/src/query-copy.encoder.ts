import type { QueryRecord } from '@aset/contracts';
import { QUERY_COPY_COLUMNS } from '@aset/ingestion';

/**
 * The `queries` table's record columns, in the order {@link queryCopyLine} writes them: the schema's
 * (`QUERY_COPY_COLUMNS` of `@aset/ingestion`). The encoding below is written independently of the
 * store's binary encoder, so that comparing the two tables checks the store's path against a second
 * implementation.
 */
export const QUERY_TABLE_COLUMNS: readonly string[] = QUERY_COPY_COLUMNS.map(([column]) => column);

/** The timestamptz columns among them. */
export const QUERY_TIMESTAMP_COLUMNS: ReadonlySet<string> = new Set(QUERY_COPY_COLUMNS.filter(([, type]) => type === 'ts').map(([column]) => column));

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
