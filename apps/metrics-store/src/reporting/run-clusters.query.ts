import type { DataSource } from 'typeorm';
import type { ClusterUtilisation } from './report-responses.schema.js';

/** A run's time window: its start and end records, else its first query's creation and last query's completion. */
const RUN_WINDOW = `
  SELECT COALESCE(r.started_at, q.first_created) AS t0, COALESCE(r.finished_at, q.last_completed) AS t1
    FROM (SELECT min(created_at) AS first_created, max(completed_at) AS last_completed FROM queries WHERE run_id = $1) q
    LEFT JOIN runs r ON r.run_id = $1`;

/**
 * Cluster utilisation during a run, from the heartbeats in `cluster_samples` between the run's
 * start and end (inclusive), per cluster and bucket of `bucketMs` starting at the run's start:
 * mean busy slots / slots, mean busy slots, mean and max queue length. Heartbeats carry no run id,
 * so runs that overlap in time on one deployment share samples. Buckets without samples are absent.
 */
export async function runClusterUtilisation(db: DataSource, runId: string, bucketMs: number): Promise<ClusterUtilisation> {
  const [window] = (await db.query(RUN_WINDOW, [runId])) as { t0: Date | null; t1: Date | null }[];
  const rows = (await db.query(
    `WITH win AS (${RUN_WINDOW})
     SELECT cluster_id, bucket_start, (extract(epoch FROM bucket_start - t0) * 1000)::float8 AS offset_ms,
            count(*)::int AS samples,
            count(DISTINCT instance_id)::int AS instances,
            avg(busy_slots::float8 / slots) AS mean_utilisation,
            avg(busy_slots)::float8 AS mean_busy_slots,
            avg(queue_length)::float8 AS mean_queue_length,
            max(queue_length) AS max_queue_length
       FROM (SELECT s.cluster_id, s.instance_id, s.slots, s.busy_slots, s.queue_length, w.t0,
                    date_bin(make_interval(secs => $2::float8 / 1000), s.at, w.t0) AS bucket_start
               FROM cluster_samples s CROSS JOIN win w
              WHERE s.at BETWEEN w.t0 AND w.t1) b
      GROUP BY cluster_id, bucket_start, t0
      ORDER BY cluster_id, bucket_start`,
    [runId, bucketMs],
  )) as {
    cluster_id: string;
    bucket_start: Date;
    offset_ms: number;
    samples: number;
    instances: number;
    mean_utilisation: number;
    mean_busy_slots: number;
    mean_queue_length: number;
    max_queue_length: number;
  }[];
  return {
    runId,
    bucketMs,
    from: window?.t0?.toISOString() ?? null,
    to: window?.t1?.toISOString() ?? null,
    buckets: rows.map((r) => ({
      clusterId: r.cluster_id,
      offsetMs: r.offset_ms,
      start: r.bucket_start.toISOString(),
      samples: r.samples,
      instances: r.instances,
      meanUtilisation: r.mean_utilisation,
      meanBusySlots: r.mean_busy_slots,
      meanQueueLength: r.mean_queue_length,
      maxQueueLength: r.max_queue_length,
    })),
  };
}
