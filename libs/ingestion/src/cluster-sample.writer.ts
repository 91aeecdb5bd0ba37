import type { DataSource, EntityManager } from 'typeorm';
import type { ClusterHeartbeat } from '@aset/contracts';

const INSERT_SAMPLES = `
  WITH inserted AS (
    INSERT INTO cluster_samples (at, cluster_id, instance_id, slots, busy_slots, queue_length, processed)
    SELECT to_timestamp(at / 1000.0), cluster_id, instance_id, slots, busy_slots, queue_length, processed
      FROM UNNEST($1::float8[], $2::text[], $3::text[], $4::int4[], $5::int4[], $6::int4[], $7::int8[])
        AS t(at, cluster_id, instance_id, slots, busy_slots, queue_length, processed)
    ON CONFLICT (cluster_id, instance_id, at) DO NOTHING
    RETURNING 1)
  SELECT count(*)::int AS inserted FROM inserted`;

/**
 * Writes validated heartbeats to `cluster_samples` (one row per heartbeat, at its `sentAt`) in one
 * INSERT ... UNNEST. Idempotent: a heartbeat seen twice (e.g. by two store instances) is stored once.
 * Resolves to the number of new rows; rejects when the database refuses the batch.
 */
export async function writeClusterSamples(db: DataSource | EntityManager, heartbeats: readonly ClusterHeartbeat[]): Promise<number> {
  if (heartbeats.length === 0) return 0;
  const rows = (await db.query(INSERT_SAMPLES, [
    heartbeats.map((h) => h.sentAt),
    heartbeats.map((h) => h.clusterId),
    heartbeats.map((h) => h.instanceId),
    heartbeats.map((h) => h.slots),
    heartbeats.map((h) => h.busySlots),
    heartbeats.map((h) => h.queueLength),
    heartbeats.map((h) => h.processed),
  ])) as { inserted: number }[];
  return rows[0]?.inserted ?? 0;
}
