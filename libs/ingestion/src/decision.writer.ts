import pg from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { DecisionRecord } from '@aset/contracts';
import { checkInt4, checkTimestamp } from './query-copy.encoder.js';

/**
 * One statement for any batch size; timestamps travel as epoch ms. The CTE counts the rows that
 * were new, since TypeORM returns no row count for an INSERT.
 */
const INSERT_DECISIONS = `
  WITH inserted AS (
    INSERT INTO scheduling_decisions (run_id, scheduler_id, policy, chosen, step, step_ms, at, observed_success_ratio)
    SELECT run_id, scheduler_id, policy, chosen, step, step_ms, to_timestamp(at / 1000.0), observed_success_ratio
      FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::float8[], $7::float8[], $8::float8[])
        AS t(run_id, scheduler_id, policy, chosen, step, step_ms, at, observed_success_ratio)
    ON CONFLICT (run_id, scheduler_id, step) DO NOTHING
    RETURNING 1)
  SELECT count(*)::int AS inserted FROM inserted`;

/**
 * Throws UnwritableRecordError when a decision holds a number its columns cannot (`step` beyond
 * int4, `at` beyond to_timestamp's range), so that the ingestor refuses it on receipt instead of the
 * database refusing its whole batch.
 */
export function checkDecisionWritable(r: DecisionRecord): void {
  checkInt4('step', r.step);
  checkTimestamp(r.at);
}

/**
 * Where decisions are written: a TypeORM DataSource (a statement of its own), the EntityManager of
 * an open TypeORM transaction, or a node-postgres client (e.g. inside the ingestor's BEGIN/COMMIT).
 */
export type DecisionTarget = DataSource | EntityManager | pg.ClientBase;

/**
 * Writes validated DecisionRecords to `scheduling_decisions` in one INSERT ... UNNEST.
 * Idempotent: a redelivered record (same run, scheduler and step) is ignored, the first write wins,
 * also within one batch. Joins the transaction `db` is in, if any. Resolves to the number of new
 * rows; rejects when the database refuses the batch (nothing of it is written then).
 */
export async function writeDecisions(db: DecisionTarget, records: readonly DecisionRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  // In key order, so that two writes at once take the same rows' locks in the same order rather than deadlock.
  records = [...records].sort((a, b) => compareKeys(a, b));
  const values = [
    records.map((r) => r.runId),
    records.map((r) => r.schedulerId),
    records.map((r) => r.policy),
    records.map((r) => r.chosen),
    records.map((r) => r.step),
    records.map((r) => r.stepMs),
    records.map((r) => r.at),
    records.map((r) => r.observedSuccessRatio),
  ];
  const rows =
    db instanceof DataSource || db instanceof EntityManager
      ? ((await db.query(INSERT_DECISIONS, values)) as { inserted: number }[])
      : (await db.query<{ inserted: number }>(INSERT_DECISIONS, values)).rows;
  return rows[0]?.inserted ?? 0;
}

function compareKeys(a: DecisionRecord, b: DecisionRecord): number {
  if (a.runId !== b.runId) return a.runId < b.runId ? -1 : 1;
  if (a.schedulerId !== b.schedulerId) return a.schedulerId < b.schedulerId ? -1 : 1;
  return a.step - b.step;
}
