import type { QueryRecord } from '@aset/contracts';

/**
 * The per-query CSV of research outputs (`sim --out`, `experiment --out`, `sweep --out`): one
 * row per QueryRecord, the columns of the metrics store's `queries` table (docs/reporting.md), in
 * snake_case; times are milliseconds on the run's clock (epoch ms live, ms from the simulation's
 * start in the simulator), an absent value is an empty cell.
 */
export const QUERY_CSV_COLUMNS = [
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
  'created_at_ms',
  'dispatched_at_ms',
  'received_at_ms',
  'started_at_ms',
  'finished_at_ms',
  'completed_at_ms',
  'latency_ms',
  'emulated_network_ms',
  'slo_max_latency_ms',
  'slo_min_accuracy',
  'slo_met',
  'warmup',
  'prediction',
  'label',
] as const;

/** The header line, with its newline. */
export const QUERY_CSV_HEADER = `${QUERY_CSV_COLUMNS.join(',')}\n`;

/**
 * One record as a CSV line (RFC 4180, with its newline). Hand-written rather than a CSV library's:
 * the simulator formats a row per simulated query inside its synchronous event loop, and every
 * cell but `detail` (free text, quoted when it holds a comma, quote or line break) is a number, a
 * boolean or an identifier.
 */
export function queryCsvRow(r: QueryRecord): string {
  const cells = [
    r.runId,
    r.queryId,
    r.app,
    r.source,
    r.task,
    r.policy,
    r.clusterId,
    r.variantId,
    r.status,
    r.reason,
    quoted(r.detail),
    r.createdAt,
    r.dispatchedAt,
    r.receivedAt,
    r.startedAt,
    r.finishedAt,
    r.completedAt,
    r.latencyMs,
    r.emulatedNetworkMs,
    r.sloMaxLatencyMs,
    r.sloMinAccuracy,
    r.sloMet,
    r.warmup,
    r.prediction,
    r.label,
  ];
  return `${cells.map((c) => (c === null ? '' : String(c))).join(',')}\n`;
}

function quoted(text: string | null): string | null {
  if (text === null || !/[",\r\n]/.test(text)) return text;
  return `"${text.replace(/"/g, '""')}"`;
}
