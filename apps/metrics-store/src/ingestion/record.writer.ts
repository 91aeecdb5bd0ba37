import type { DataSource, EntityManager } from 'typeorm';
import type { QueryRecord, RunRecord } from '@aset/contracts';

/** Columns of `queries` in insert order, with the UNNEST array type and how to read each from a record. */
const QUERY_COLUMNS: [column: string, type: string, read: (r: QueryRecord) => unknown][] = [
  ['run_id', 'text', (r) => r.runId],
  ['query_id', 'text', (r) => r.queryId],
  ['app', 'text', (r) => r.app],
  ['source', 'text', (r) => r.source],
  ['task', 'text', (r) => r.task],
  ['policy', 'text', (r) => r.policy],
  ['cluster_id', 'text', (r) => r.clusterId],
  ['variant_id', 'text', (r) => r.variantId],
  ['status', 'text', (r) => r.status],
  ['reason', 'text', (r) => r.reason],
  ['detail', 'text', (r) => r.detail],
  ['created_at', 'ts', (r) => r.createdAt],
  ['dispatched_at', 'ts', (r) => r.dispatchedAt],
  ['received_at', 'ts', (r) => r.receivedAt],
  ['started_at', 'ts', (r) => r.startedAt],
  ['finished_at', 'ts', (r) => r.finishedAt],
  ['completed_at', 'ts', (r) => r.completedAt],
  ['emulated_network_ms', 'float8', (r) => r.emulatedNetworkMs],
  ['latency_ms', 'float8', (r) => r.latencyMs],
  ['slo_max_latency_ms', 'float8', (r) => r.sloMaxLatencyMs],
  ['slo_min_accuracy', 'float8', (r) => r.sloMinAccuracy],
  ['slo_met', 'bool', (r) => r.sloMet],
  ['warmup', 'bool', (r) => r.warmup],
  ['prediction', 'int4', (r) => r.prediction],
  ['label', 'int4', (r) => r.label],
];

/** One statement for any batch size: arrays in, rows out. Timestamps travel as epoch ms. */
const INSERT_QUERIES = `
  INSERT INTO queries (${QUERY_COLUMNS.map(([c]) => c).join(', ')})
  SELECT ${QUERY_COLUMNS.map(([c, t]) => (t === 'ts' ? `to_timestamp(${c} / 1000.0)` : c)).join(', ')}
  FROM UNNEST(${QUERY_COLUMNS.map(([, t], i) => `$${i + 1}::${t === 'ts' ? 'float8' : t}[]`).join(', ')})
    AS t(${QUERY_COLUMNS.map(([c]) => c).join(', ')})
  ON CONFLICT (run_id, query_id) DO NOTHING`;

/**
 * Writes validated records. Idempotent: a redelivered query record is ignored (the first write
 * wins), a redelivered run record rewrites the same values. One transaction per batch.
 */
export class RecordWriter {
  constructor(private readonly db: DataSource) {}

  /** Returns how many query rows were new. */
  async write(runs: RunRecord[], queries: QueryRecord[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      for (const r of runs) await this.writeRun(tx, r);
      if (queries.length === 0) return 0;
      const params = QUERY_COLUMNS.map(([, , read]) => queries.map(read));
      const result: unknown = await tx.query(INSERT_QUERIES, params);
      return rowCount(result);
    });
  }

  private async writeRun(tx: EntityManager, r: RunRecord): Promise<void> {
    if (r.kind === 'started') {
      await tx.query(
        `INSERT INTO runs (run_id, scenario, policy, seed, code_version, parameters, started_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, to_timestamp($7 / 1000.0))
         ON CONFLICT (run_id) DO UPDATE SET scenario = EXCLUDED.scenario, policy = EXCLUDED.policy, seed = EXCLUDED.seed,
           code_version = EXCLUDED.code_version, parameters = EXCLUDED.parameters, started_at = EXCLUDED.started_at`,
        [r.runId, r.scenario, r.policy ?? null, r.seed, r.codeVersion, JSON.stringify(r.parameters), r.startedAt],
      );
    } else {
      await tx.query(
        `INSERT INTO runs (run_id, finished_at, query_count) VALUES ($1, to_timestamp($2 / 1000.0), $3)
         ON CONFLICT (run_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, query_count = EXCLUDED.query_count`,
        [r.runId, r.finishedAt, r.queryCount],
      );
    }
  }
}

/** TypeORM's postgres driver returns [rows, affected] for INSERT ... SELECT. */
function rowCount(result: unknown): number {
  if (Array.isArray(result) && typeof result[1] === 'number') return result[1];
  return 0;
}
