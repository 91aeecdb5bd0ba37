import pg from 'pg';
import { QueryRecordSchema, type QueryRecord } from '@aset/contracts';

/**
 * Every stored query of a run, warm-up included, as QueryRecords again (the metrics store's
 * `queries` rows; times back to epoch ms), in creation order: what a live run's research outputs
 * (per-query CSV) write. Each row is checked against the record schema, so a row the store should
 * never have written fails here naming the run and the query.
 */
export async function readStoredQueryRecords(databaseUrl: string, runId: string): Promise<QueryRecord[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ms = (column: string) => `extract(epoch FROM ${column}) * 1000`;
    const { rows } = await client.query<Record<string, unknown>>(
      `SELECT 1 AS "schemaVersion", run_id AS "runId", query_id AS "queryId", app, source, task, policy, cluster_id AS "clusterId",
              variant_id AS "variantId", status, reason, detail, ${ms('created_at')} AS "createdAt", ${ms('dispatched_at')} AS "dispatchedAt",
              ${ms('received_at')} AS "receivedAt", ${ms('started_at')} AS "startedAt", ${ms('finished_at')} AS "finishedAt",
              ${ms('completed_at')} AS "completedAt", emulated_network_ms AS "emulatedNetworkMs", latency_ms AS "latencyMs",
              slo_max_latency_ms AS "sloMaxLatencyMs", slo_min_accuracy AS "sloMinAccuracy", slo_met AS "sloMet", warmup, prediction, label
         FROM queries WHERE run_id = $1 ORDER BY created_at, query_id`,
      [runId],
    );
    return rows.map((row) => {
      // extract() is numeric, which node-postgres returns as a string.
      for (const k of ['createdAt', 'dispatchedAt', 'receivedAt', 'startedAt', 'finishedAt', 'completedAt']) if (row[k] !== null) row[k] = Number(row[k]);
      const parsed = QueryRecordSchema.safeParse(row);
      if (!parsed.success) throw new Error(`run ${runId}, query ${String(row['queryId'])}: the stored row is not a QueryRecord: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return parsed.data;
    });
  } finally {
    await client.end();
  }
}
