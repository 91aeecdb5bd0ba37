import type { DataSource } from 'typeorm';
import type { HostUsage, RunInfo } from '@aset/contracts';
import type { RunList } from './report-responses.schema.js';

interface RunRow {
  run_id: string;
  scenario: string | null;
  policy: string | null;
  seed: number | null;
  started_at: Date | null;
  finished_at: Date | null;
  query_count: number | null;
  host_usage: HostUsage | null;
  stored: number;
  part_count: number | null;
  parts_finished: number;
}

const RUN_COLUMNS = `r.run_id, r.scenario, r.policy, r.seed, r.started_at, r.finished_at, r.query_count, r.host_usage, r.part_count,
            (SELECT count(*)::int FROM queries q WHERE q.run_id = r.run_id) AS stored,
            (SELECT count(p.finished_at)::int FROM run_parts p WHERE p.run_id = r.run_id) AS parts_finished`;

/**
 * A run row as the API shows it. A run split over several generators has `finished_at` and
 * `query_count` only once every part finished (the writer sets them), so `complete` needs no more.
 */
function runInfo(r: RunRow): RunInfo {
  return {
    runId: r.run_id,
    scenario: r.scenario,
    policy: r.policy,
    seed: r.seed,
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    expectedQueries: r.query_count,
    storedQueries: r.stored,
    complete: r.finished_at !== null && r.query_count !== null && r.stored >= r.query_count,
    host: r.host_usage,
    parts: r.part_count === null ? null : { count: r.part_count, finished: r.parts_finished },
  };
}

/** The `limit` most recent runs (by start; runs without a start last), with their stored and expected query counts. */
export async function listRuns(db: DataSource, limit: number): Promise<RunList> {
  const rows = (await db.query(
    `SELECT ${RUN_COLUMNS}
       FROM runs r
      ORDER BY r.started_at DESC NULLS LAST, r.run_id
      LIMIT $1`,
    [limit],
  )) as RunRow[];
  return { runs: rows.map(runInfo) };
}

/** The run records of `runIds` (as `GET /runs` lists them), in the order asked; ids without a run record are absent. */
export async function findRuns(db: DataSource, runIds: readonly string[]): Promise<RunInfo[]> {
  const rows = (await db.query(`SELECT ${RUN_COLUMNS} FROM runs r WHERE r.run_id = ANY($1::text[])`, [runIds])) as RunRow[];
  const byId = new Map(rows.map((r) => [r.run_id, runInfo(r)]));
  return runIds.flatMap((id) => byId.get(id) ?? []);
}

/** The ids among `runIds` the store knows nothing of (see {@link runExists}), in the order asked. */
export async function unknownRuns(db: DataSource, runIds: readonly string[]): Promise<string[]> {
  const rows = (await db.query(
    `SELECT id FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n)
      WHERE NOT EXISTS (SELECT 1 FROM runs WHERE run_id = t.id)
        AND NOT EXISTS (SELECT 1 FROM queries WHERE run_id = t.id)
        AND NOT EXISTS (SELECT 1 FROM scheduling_decisions WHERE run_id = t.id)
      ORDER BY n`,
    [runIds],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

/** True when the store holds anything of the run: its run record, a query or a scheduling decision. */
export async function runExists(db: DataSource, runId: string): Promise<boolean> {
  const [row] = (await db.query(
    `SELECT EXISTS (SELECT 1 FROM runs WHERE run_id = $1)
         OR EXISTS (SELECT 1 FROM queries WHERE run_id = $1)
         OR EXISTS (SELECT 1 FROM scheduling_decisions WHERE run_id = $1) AS known`,
    [runId],
  )) as { known: boolean }[];
  return row?.known ?? false;
}
