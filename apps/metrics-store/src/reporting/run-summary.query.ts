import type { DataSource } from 'typeorm';
import type { RunSummary } from '@aset/contracts';
import { findRuns } from './run-list.query.js';
import { runBreakdown } from './run-outcomes.query.js';

/**
 * `GET /reports/summary`: the run as `GET /runs` lists it, with the outcomes of its measured
 * queries per policy (the `policy` breakdown of {@link runBreakdown}). Null when the store has no
 * run record of it.
 */
export async function runSummary(db: DataSource, runId: string): Promise<RunSummary | null> {
  const [info] = await findRuns(db, [runId]);
  if (!info) return null;
  const { groups } = await runBreakdown(db, runId, 'policy');
  // The policy breakdown never has a null key (the view attributes a query to 'unknown' at worst).
  return { ...info, policies: groups.map(({ key, ...figures }) => ({ policy: key ?? 'unknown', ...figures })) };
}
