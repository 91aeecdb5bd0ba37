import type { DataSource } from 'typeorm';
import { cdfFractions } from './report-params.schema.js';
import type { RunInfo } from '@aset/contracts';
import type { ClusterUtilisation, LatencyCdf, OutcomeGroup, Timeseries } from './report-responses.schema.js';
import { findRuns, unknownRuns } from './run-list.query.js';
import { runBreakdown, runTimeseries } from './run-outcomes.query.js';
import { runLatencyCdf } from './run-latency-cdf.query.js';
import { runClusterUtilisation } from './run-clusters.query.js';

/** What the reports API says of one run, for a side-by-side comparison. */
export interface ComparedRun {
  runId: string;
  /** Its run record; null when the store holds only its queries or decisions. */
  info: RunInfo | null;
  /** `GET /runs/:runId/summary?by=policy`. */
  policies: OutcomeGroup[];
  /** `GET /runs/:runId/timeseries?bucketMs=`. */
  timeseries: Timeseries;
  /** `GET /runs/:runId/latency-cdf?points=`. */
  latencyCdf: LatencyCdf;
  /** `GET /runs/:runId/clusters?bucketMs=`. */
  clusters: ClusterUtilisation;
}

/** Runs side by side, in the order asked. */
export interface RunComparison {
  bucketMs: number;
  runs: ComparedRun[];
}

/** Some of the runs asked for are not in the metrics store. */
export class UnknownRunsError extends Error {
  constructor(readonly runIds: readonly string[]) {
    super(`unknown run ids: ${runIds.join(', ')} (GET /runs on the metrics store, or SELECT run_id FROM runs, lists the known ones)`);
    this.name = 'UnknownRunsError';
  }
}

/**
 * The reports of `runIds` (with the reports API's SQL): run record, per-policy outcomes, success
 * ratio per bucket of `bucketMs`, latency CDF at `cdfPoints` quantiles, cluster utilisation per
 * bucket. Throws {@link UnknownRunsError} naming every run the store knows nothing of.
 */
export async function loadRunComparison(db: DataSource, runIds: readonly string[], options: { bucketMs: number; cdfPoints?: number }): Promise<RunComparison> {
  const unknown = await unknownRuns(db, runIds);
  if (unknown.length > 0) throw new UnknownRunsError(unknown);
  const infos = new Map((await findRuns(db, runIds)).map((r) => [r.runId, r]));
  const fractions = cdfFractions(options.cdfPoints ?? 101);
  const runs = await Promise.all(
    runIds.map(async (runId): Promise<ComparedRun> => {
      const [breakdown, timeseries, latencyCdf, clusters] = await Promise.all([
        runBreakdown(db, runId, 'policy'),
        runTimeseries(db, runId, options.bucketMs),
        runLatencyCdf(db, runId, fractions),
        runClusterUtilisation(db, runId, options.bucketMs),
      ]);
      return { runId, info: infos.get(runId) ?? null, policies: breakdown.groups, timeseries, latencyCdf, clusters };
    }),
  );
  return { bucketMs: options.bucketMs, runs };
}
