import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { DecisionRecord, RunFinished, RunPart, RunRecord, RunStarted } from '@aset/contracts';
import { writeDecisions } from './decision.writer.js';
import { QUERY_COPY_COLUMNS, QueryRows, checkInt4, checkTimestamp } from './query-copy.encoder.js';

/** What one batch holds; every part may be empty. */
export interface RecordBatchContent {
  /** Run records, written first and in order (upserts). */
  runs: readonly RunRecord[];
  /** Query records, already encoded. */
  queries: QueryRows;
  decisions: readonly DecisionRecord[];
}

/**
 * What the ingestor writes through: one call per batch, in one transaction. Resolves with the number
 * of query rows that were new once the transaction has COMMITTED; rejects (nothing written) otherwise.
 */
export interface RecordSink {
  write(batch: RecordBatchContent): Promise<number>;
}

const COLUMN_LIST = QUERY_COPY_COLUMNS.map(([c]) => c).join(', ');
/** The fast path: straight into the table. Fails as a whole (unique_violation) if any row is already there. */
const COPY_DIRECT = `COPY queries (${COLUMN_LIST}) FROM STDIN (FORMAT binary)`;
/** Session-local staging table for the idempotent path: no WAL, no indexes, emptied at every commit. */
const STAGING = 'queries_staging';
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (${QUERY_COPY_COLUMNS.map(([c, t]) => `${c} ${t === 'ts' ? 'timestamptz' : t}`).join(', ')}) ON COMMIT DELETE ROWS`;
const COPY_STAGING = `COPY ${STAGING} (${COLUMN_LIST}) FROM STDIN (FORMAT binary)`;
/** A (run_id, query_id) already stored, or repeated in the batch, is skipped: the first write wins. */
const INSERT_FROM_STAGING = `INSERT INTO queries (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${STAGING} ON CONFLICT (run_id, query_id) DO NOTHING`;
const UNIQUE_VIOLATION = '23505';
/** A COPY payload up to this size is sent as one chunk (copied together), a larger one part by part. */
const ONE_CHUNK_BYTES = 256 * 1024;

/**
 * True when PostgreSQL refused the data itself (SQLSTATE class 22 data exception, e.g. a NUL
 * character or a timestamp out of range; class 23 integrity violation, e.g. a CHECK): retrying the
 * same rows cannot succeed. Anything else (connection lost, database gone, serialization) may pass later.
 */
export function isDataError(e: unknown): boolean {
  return isPgError(e) && (e.code.startsWith('22') || e.code.startsWith('23'));
}

/**
 * Writes validated records, one transaction per batch: run records first (upserts, in order), then
 * decisions, then the query rows with one binary COPY.
 *
 * Idempotent: a redelivered query or decision record is ignored (the first write wins, within a
 * batch too), a redelivered run record rewrites the same values. Query rows normally go straight
 * into `queries` (the cheapest path: what a raw COPY costs); when that COPY hits a row that is
 * already there (unique_violation: a redelivery), the transaction is rolled back and the batch is
 * written again through a session-local staging table and
 * `INSERT ... SELECT ... ON CONFLICT (run_id, query_id) DO NOTHING`. The writer then stays on that
 * path until a batch comes through it without any duplicate. Nothing is visible to readers before
 * the commit, and a failed batch leaves nothing.
 *
 * The run records of a run split over several generators (with a `part`) go through `run_parts`: the
 * run's `finished_at` and `query_count` are set only once every part has finished (writeRunPart), so
 * that whatever reads `runs` sees the split run complete only then.
 */
export class RecordWriter implements RecordSink {
  /** Connections that already have the staging table (temporary tables live as long as their session). */
  private readonly staged = new WeakSet<pg.ClientBase>();
  /** True after a duplicate: redeliveries tend to come in runs. */
  private viaStaging = false;
  /** Batches written through the staging table (after a duplicate), for tests and logs. */
  stagedBatches = 0;

  constructor(private readonly db: DataSource) {}

  /** Returns how many query rows were new, after the commit. Throws (rolled back) on any failure. */
  async write(batch: RecordBatchContent): Promise<number> {
    if (!this.viaStaging && batch.queries.count > 0) {
      try {
        return await this.transaction(batch, false);
      } catch (e) {
        if (!(isPgError(e) && e.code === UNIQUE_VIOLATION)) throw e;
        this.viaStaging = true;
      }
    }
    const inserted = await this.transaction(batch, true);
    if (batch.queries.count > 0) {
      this.stagedBatches++;
      if (inserted === batch.queries.count) this.viaStaging = false;
    }
    return inserted;
  }

  private async transaction(batch: RecordBatchContent, viaStaging: boolean): Promise<number> {
    const runner = this.db.createQueryRunner();
    try {
      const client = pgClientOf(await runner.connect());
      // A batch of query rows alone is one statement, the direct COPY: a transaction of its own
      // (autocommit; committed before the server reports it complete), without BEGIN and COMMIT
      // and their two round trips.
      const oneStatement = !viaStaging && batch.runs.length === 0 && batch.decisions.length === 0;
      try {
        if (!oneStatement) await client.query('BEGIN');
        // In run-id order (stable: a run's records keep theirs), so that two batches written at once
        // lock the same run rows in the same order rather than deadlock.
        for (const r of [...batch.runs].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0))) await writeRun(client, r);
        if (batch.decisions.length > 0) await writeDecisions(client, batch.decisions);
        let inserted = 0;
        if (batch.queries.count > 0) {
          if (viaStaging && !this.staged.has(client)) {
            await client.query(CREATE_STAGING);
            this.staged.add(client);
          }
          const copy = client.query(copyFrom(viaStaging ? COPY_STAGING : COPY_DIRECT));
          // Each chunk written costs two socket writes: a small batch goes as one.
          const parts = batch.queries.payload();
          const bytes = parts.reduce((n, p) => n + p.length, 0);
          if (bytes <= ONE_CHUNK_BYTES) copy.write(Buffer.concat(parts, bytes));
          else for (const part of parts) copy.write(part);
          copy.end();
          await finished(copy);
          inserted = viaStaging ? ((await client.query(INSERT_FROM_STAGING)).rowCount ?? 0) : copy.rowCount;
        }
        if (!oneStatement) await client.query('COMMIT');
        return inserted;
      } catch (e) {
        // The staging table may be what is missing (e.g. the session was reset): recreate it next time.
        this.staged.delete(client);
        if (!oneStatement) await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await runner.release();
    }
  }
}

/**
 * Throws UnwritableRecordError when a run record holds a number its columns cannot (an integer
 * beyond int4, a time beyond to_timestamp's range), so that the ingestor refuses it on receipt
 * instead of the database refusing its whole batch. Other refusals (e.g. a NUL character) come from the database.
 */
export function checkRunWritable(r: RunRecord): void {
  if (r.kind === 'host') return;
  if (r.part) checkInt4('part.count', r.part.count);
  if (r.kind === 'started') {
    checkInt4('seed', r.seed);
    checkTimestamp(r.startedAt);
  } else {
    checkInt4('queryCount', r.queryCount);
    checkTimestamp(r.finishedAt);
  }
}

function isPgError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && 'code' in e && typeof e.code === 'string';
}

async function writeRun(client: pg.ClientBase, r: RunRecord): Promise<void> {
  if (r.kind !== 'host' && r.part !== undefined) return writeRunPart(client, r, r.part);
  if (r.kind === 'started') {
    await client.query(
      `INSERT INTO runs (run_id, scenario, policy, seed, code_version, parameters, started_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, to_timestamp($7 / 1000.0))
       ON CONFLICT (run_id) DO UPDATE SET scenario = EXCLUDED.scenario, policy = EXCLUDED.policy, seed = EXCLUDED.seed,
         code_version = EXCLUDED.code_version, parameters = EXCLUDED.parameters, started_at = EXCLUDED.started_at`,
      [r.runId, r.scenario, r.policy ?? null, r.seed, r.codeVersion, JSON.stringify(r.parameters), r.startedAt],
    );
  } else if (r.kind === 'finished') {
    await client.query(
      `INSERT INTO runs (run_id, finished_at, query_count, generator_metrics) VALUES ($1, to_timestamp($2 / 1000.0), $3, $4::jsonb)
       ON CONFLICT (run_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, query_count = EXCLUDED.query_count, generator_metrics = EXCLUDED.generator_metrics`,
      [r.runId, r.finishedAt, r.queryCount, metricsJson(r)],
    );
  } else {
    await client.query(
      `INSERT INTO runs (run_id, host_usage) VALUES ($1, $2::jsonb)
       ON CONFLICT (run_id) DO UPDATE SET host_usage = EXCLUDED.host_usage`,
      [r.runId, JSON.stringify(r.host)],
    );
  }
}

/**
 * A part's `started` or `finished` record (a run split over several generators): upserts the run
 * (a `started` sets its columns, the earliest part's start; the largest part count announced wins),
 * then the part's `run_parts` row, then sets the run's `finished_at` (the last part's) and
 * `query_count` (the parts' sum) if every part has finished, and clears them otherwise.
 *
 * The runs upsert comes first because it takes the run row's lock, held until the commit: the
 * transaction of another part's record of the same run (the ingestor commits batches concurrently,
 * READ COMMITTED) waits for it there, before it touches `run_parts`, so its aggregate (a new
 * statement, a new snapshot) sees this part. Taken the other way round, two parts finishing in
 * concurrent batches would each count only themselves, and the run would never complete.
 */
async function writeRunPart(client: pg.ClientBase, r: RunStarted | RunFinished, part: RunPart): Promise<void> {
  const sources = JSON.stringify(part.sources);
  if (r.kind === 'started') {
    await client.query(
      `INSERT INTO runs (run_id, scenario, policy, seed, code_version, parameters, started_at, part_count)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, to_timestamp($7 / 1000.0), $8)
       ON CONFLICT (run_id) DO UPDATE SET scenario = EXCLUDED.scenario, policy = EXCLUDED.policy, seed = EXCLUDED.seed,
         code_version = EXCLUDED.code_version, parameters = EXCLUDED.parameters,
         started_at = LEAST(runs.started_at, EXCLUDED.started_at), part_count = GREATEST(runs.part_count, EXCLUDED.part_count)`,
      [r.runId, r.scenario, r.policy ?? null, r.seed, r.codeVersion, JSON.stringify(r.parameters), r.startedAt, part.count],
    );
    await client.query(
      `INSERT INTO run_parts (run_id, part_id, sources, started_at) VALUES ($1, $2, $3::jsonb, to_timestamp($4 / 1000.0))
       ON CONFLICT (run_id, part_id) DO UPDATE SET sources = EXCLUDED.sources, started_at = EXCLUDED.started_at`,
      [r.runId, part.id, sources, r.startedAt],
    );
  } else {
    await client.query(
      `INSERT INTO runs (run_id, part_count) VALUES ($1, $2)
       ON CONFLICT (run_id) DO UPDATE SET part_count = GREATEST(runs.part_count, EXCLUDED.part_count)`,
      [r.runId, part.count],
    );
    await client.query(
      `INSERT INTO run_parts (run_id, part_id, sources, finished_at, query_count, generator_metrics) VALUES ($1, $2, $3::jsonb, to_timestamp($4 / 1000.0), $5, $6::jsonb)
       ON CONFLICT (run_id, part_id) DO UPDATE SET sources = EXCLUDED.sources, finished_at = EXCLUDED.finished_at, query_count = EXCLUDED.query_count,
         generator_metrics = EXCLUDED.generator_metrics`,
      [r.runId, part.id, sources, r.finishedAt, r.queryCount, metricsJson(r)],
    );
  }
  await client.query(
    `UPDATE runs r
        SET finished_at = CASE WHEN p.finished >= r.part_count THEN p.finished_at END,
            query_count = CASE WHEN p.finished >= r.part_count THEN p.query_count END
       FROM (SELECT max(finished_at) AS finished_at, sum(query_count)::int AS query_count, count(finished_at) AS finished
               FROM run_parts WHERE run_id = $1) p
      WHERE r.run_id = $1`,
    [r.runId],
  );
}

/** A `finished` record's generator metrics as a jsonb parameter (null when the record has none). */
function metricsJson(r: RunFinished): string | null {
  return r.generatorMetrics ? JSON.stringify(r.generatorMetrics) : null;
}

/** TypeORM's postgres driver hands out node-postgres clients; anything else is a configuration error. */
function pgClientOf(connection: unknown): pg.ClientBase {
  if (connection instanceof pg.Client) return connection;
  throw new Error('RecordWriter needs a node-postgres connection (TypeORM type "postgres")');
}
