import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { DecisionRecord, QueryRecord, RunRecord } from '@aset/contracts';
import { writeDecisions } from './decision.writer.js';

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

/**
 * Columns of `queries` in COPY order, with their binary COPY type. {@link QueryRows.append} writes
 * the fields in this order.
 */
const QUERY_COLUMNS: readonly (readonly [column: string, type: 'text' | 'ts' | 'float8' | 'bool' | 'int4'])[] = [
  ['run_id', 'text'],
  ['query_id', 'text'],
  ['app', 'text'],
  ['source', 'text'],
  ['task', 'text'],
  ['policy', 'text'],
  ['cluster_id', 'text'],
  ['variant_id', 'text'],
  ['status', 'text'],
  ['reason', 'text'],
  ['detail', 'text'],
  ['created_at', 'ts'],
  ['dispatched_at', 'ts'],
  ['received_at', 'ts'],
  ['started_at', 'ts'],
  ['finished_at', 'ts'],
  ['completed_at', 'ts'],
  ['emulated_network_ms', 'float8'],
  ['latency_ms', 'float8'],
  ['slo_max_latency_ms', 'float8'],
  ['slo_min_accuracy', 'float8'],
  ['slo_met', 'bool'],
  ['warmup', 'bool'],
  ['prediction', 'int4'],
  ['label', 'int4'],
];

const COLUMN_LIST = QUERY_COLUMNS.map(([c]) => c).join(', ');
/** The fast path: straight into the table. Fails as a whole (unique_violation) if any row is already there. */
const COPY_DIRECT = `COPY queries (${COLUMN_LIST}) FROM STDIN (FORMAT binary)`;
/** Session-local staging table for the idempotent path: no WAL, no indexes, emptied at every commit. */
const STAGING = 'queries_staging';
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (${QUERY_COLUMNS.map(([c, t]) => `${c} ${t === 'ts' ? 'timestamptz' : t}`).join(', ')}) ON COMMIT DELETE ROWS`;
const COPY_STAGING = `COPY ${STAGING} (${COLUMN_LIST}) FROM STDIN (FORMAT binary)`;
/** A (run_id, query_id) already stored, or repeated in the batch, is skipped: the first write wins. */
const INSERT_FROM_STAGING = `INSERT INTO queries (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM ${STAGING} ON CONFLICT (run_id, query_id) DO NOTHING`;
const UNIQUE_VIOLATION = '23505';

/** PostgreSQL binary COPY framing: signature, flags, header extension length; and the end marker. */
const COPY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const FIELDS = QUERY_COLUMNS.length;
/** Bytes of a row besides its text: field count, 25 length words, 12 eight-byte numbers, 2 booleans, 2 int4. */
const FIXED_ROW_BYTES = 2 + FIELDS * 4 + 12 * 8 + 2 + 2 * 4;
const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;
/** Seconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC). */
const PG_EPOCH_SECONDS = 946_684_800;
/** to_timestamp's accepted range, in Unix seconds: [4714-11-24 BC, 294277-01-01). */
const TIMESTAMP_MIN_SECONDS = -210_866_803_200;
const TIMESTAMP_END_SECONDS = 9_224_318_016_000;
const TWO_POW_32 = 4_294_967_296;
/** Strings up to this long are written by a JS loop when ASCII (cheaper than a call into Buffer.write). */
const SHORT_TEXT = 48;

/** A record that cannot be written as it is (e.g. an integer out of the column's range); never retried. */
export class UnwritableRecordError extends Error {
  override readonly name = 'UnwritableRecordError';
}

/**
 * Query records encoded as rows of PostgreSQL's binary COPY format for `queries` (and the staging
 * table, which has the same column types), appended one at a time straight into one growing buffer:
 * no per-field strings, no number formatting, and little for the garbage collector to keep. Row
 * boundaries are kept so that a batch can be split.
 */
export class QueryRows {
  private buf: Buffer;
  private end = 0;
  private readonly starts: number[] = [];

  /** `expectedRows` sizes the first buffer (about 512 bytes a row); it grows by doubling. */
  constructor(expectedRows = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(1, expectedRows) * 512);
  }

  get count(): number {
    return this.starts.length;
  }

  /** Bytes of row data so far. */
  get byteLength(): number {
    return this.end;
  }

  /**
   * Appends one record (valid per QueryRecordSchema). Throws {@link UnwritableRecordError}, appending
   * nothing, when a value cannot be stored in its column (an integer beyond int4, a timestamp
   * beyond PostgreSQL's range). Other refusals (e.g. a NUL character in text) come from the database.
   */
  append(r: QueryRecord): void {
    checkInt4('prediction', r.prediction);
    checkInt4('label', r.label);
    checkTimestamp(r.createdAt);
    checkTimestamp(r.dispatchedAt);
    checkTimestamp(r.receivedAt);
    checkTimestamp(r.startedAt);
    checkTimestamp(r.finishedAt);
    checkTimestamp(r.completedAt);
    this.reserve(
      FIXED_ROW_BYTES +
        3 *
          (r.runId.length +
            r.queryId.length +
            r.app.length +
            r.source.length +
            r.task.length +
            (r.policy?.length ?? 0) +
            (r.clusterId?.length ?? 0) +
            (r.variantId?.length ?? 0) +
            r.status.length +
            (r.reason?.length ?? 0) +
            (r.detail?.length ?? 0)),
    );
    this.starts.push(this.end);
    this.buf.writeInt16BE(FIELDS, this.end);
    this.end += 2;
    this.text(r.runId);
    this.text(r.queryId);
    this.text(r.app);
    this.text(r.source);
    this.text(r.task);
    this.text(r.policy);
    this.text(r.clusterId);
    this.text(r.variantId);
    this.text(r.status);
    this.text(r.reason);
    this.text(r.detail);
    this.timestamp(r.createdAt);
    this.timestamp(r.dispatchedAt);
    this.timestamp(r.receivedAt);
    this.timestamp(r.startedAt);
    this.timestamp(r.finishedAt);
    this.timestamp(r.completedAt);
    this.float8(r.emulatedNetworkMs);
    this.float8(r.latencyMs);
    this.float8(r.sloMaxLatencyMs);
    this.float8(r.sloMinAccuracy);
    this.bool(r.sloMet);
    this.bool(r.warmup);
    this.int4(r.prediction);
    this.int4(r.label);
  }

  /** Rows [from, to) as a new QueryRows (copied). */
  slice(from: number, to: number): QueryRows {
    const part = new QueryRows(0);
    const first = this.starts[from] ?? this.end;
    const last = this.starts[to] ?? this.end;
    part.buf = Buffer.from(this.buf.subarray(first, last));
    part.end = last - first;
    for (let i = from; i < Math.min(to, this.count); i++) part.starts.push((this.starts[i] as number) - first);
    return part;
  }

  /** The complete COPY payload (header, rows, end marker), sharing the row bytes. */
  payload(): Buffer[] {
    return [COPY_HEADER, this.buf.subarray(0, this.end), COPY_TRAILER];
  }

  private reserve(bytes: number): void {
    if (this.end + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + bytes));
    this.buf.copy(bigger, 0, 0, this.end);
    this.buf = bigger;
  }

  private text(v: string | null): void {
    if (v === null) return this.nullField();
    const buf = this.buf;
    const at = this.end + 4;
    let written = -1;
    if (v.length <= SHORT_TEXT) {
      written = v.length;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c > 0x7f) {
          written = -1;
          break;
        }
        buf[at + i] = c;
      }
    }
    if (written < 0) written = buf.write(v, at, 'utf8');
    buf.writeInt32BE(written, this.end);
    this.end = at + written;
  }

  /** Epoch ms as timestamptz: microseconds since 2000-01-01 as int64, rounded exactly as to_timestamp(ms / 1000.0). */
  private timestamp(ms: number | null): void {
    if (ms === null) return this.nullField();
    const micros = pgTimestampMicros(ms);
    const high = Math.floor(micros / TWO_POW_32);
    this.buf.writeInt32BE(8, this.end);
    this.buf.writeInt32BE(high, this.end + 4);
    this.buf.writeUInt32BE(micros - high * TWO_POW_32, this.end + 8);
    this.end += 12;
  }

  private float8(v: number | null): void {
    if (v === null) return this.nullField();
    this.buf.writeInt32BE(8, this.end);
    this.buf.writeDoubleBE(v, this.end + 4);
    this.end += 12;
  }

  private bool(v: boolean): void {
    this.buf.writeInt32BE(1, this.end);
    this.buf[this.end + 4] = v ? 1 : 0;
    this.end += 5;
  }

  private int4(v: number | null): void {
    if (v === null) return this.nullField();
    this.buf.writeInt32BE(4, this.end);
    this.buf.writeInt32BE(v, this.end + 4);
    this.end += 8;
  }

  private nullField(): void {
    this.buf.writeInt32BE(-1, this.end);
    this.end += 4;
  }
}

/**
 * PostgreSQL's float8_timestamptz, as used by to_timestamp(ms / 1000.0), in double arithmetic like
 * the server: seconds since 2000-01-01 times 10^6, rounded half to even (C's rint). Integer-valued.
 */
export function pgTimestampMicros(ms: number): number {
  const x = (ms / 1000 - PG_EPOCH_SECONDS) * 1e6;
  const floor = Math.floor(x);
  const fraction = x - floor;
  return fraction < 0.5 ? floor : fraction > 0.5 ? floor + 1 : floor % 2 === 0 ? floor : floor + 1;
}

function checkTimestamp(ms: number | null): void {
  if (ms === null) return;
  const seconds = ms / 1000;
  if (!(seconds >= TIMESTAMP_MIN_SECONDS && seconds < TIMESTAMP_END_SECONDS)) {
    throw new UnwritableRecordError(`timestamp ${ms} ms is out of range`);
  }
}

function checkInt4(field: string, v: number | null): void {
  if (v !== null && !(Number.isInteger(v) && v >= INT4_MIN && v <= INT4_MAX)) {
    throw new UnwritableRecordError(`${field} ${v} does not fit the integer column`);
  }
}

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

  /** Convenience for callers holding records (tests, tools): encodes the query records and writes. */
  writeRecords(runs: readonly RunRecord[], queries: readonly QueryRecord[], decisions: readonly DecisionRecord[] = []): Promise<number> {
    const rows = new QueryRows(queries.length);
    for (const q of queries) rows.append(q);
    return this.write({ runs, queries: rows, decisions });
  }

  private async transaction(batch: RecordBatchContent, viaStaging: boolean): Promise<number> {
    const runner = this.db.createQueryRunner();
    try {
      const client = pgClientOf(await runner.connect());
      try {
        await client.query('BEGIN');
        for (const r of batch.runs) await writeRun(client, r);
        if (batch.decisions.length > 0) await writeDecisions(client, batch.decisions);
        let inserted = 0;
        if (batch.queries.count > 0) {
          if (viaStaging && !this.staged.has(client)) {
            await client.query(CREATE_STAGING);
            this.staged.add(client);
          }
          const copy = client.query(copyFrom(viaStaging ? COPY_STAGING : COPY_DIRECT));
          for (const part of batch.queries.payload()) copy.write(part);
          copy.end();
          await finished(copy);
          inserted = viaStaging ? ((await client.query(INSERT_FROM_STAGING)).rowCount ?? 0) : copy.rowCount;
        }
        await client.query('COMMIT');
        return inserted;
      } catch (e) {
        // The staging table may be what is missing (e.g. the session was reset): recreate it next time.
        this.staged.delete(client);
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await runner.release();
    }
  }
}

function isPgError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && 'code' in e && typeof e.code === 'string';
}

async function writeRun(client: pg.ClientBase, r: RunRecord): Promise<void> {
  if (r.kind === 'started') {
    await client.query(
      `INSERT INTO runs (run_id, scenario, policy, seed, code_version, parameters, started_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, to_timestamp($7 / 1000.0))
       ON CONFLICT (run_id) DO UPDATE SET scenario = EXCLUDED.scenario, policy = EXCLUDED.policy, seed = EXCLUDED.seed,
         code_version = EXCLUDED.code_version, parameters = EXCLUDED.parameters, started_at = EXCLUDED.started_at`,
      [r.runId, r.scenario, r.policy ?? null, r.seed, r.codeVersion, JSON.stringify(r.parameters), r.startedAt],
    );
  } else {
    await client.query(
      `INSERT INTO runs (run_id, finished_at, query_count) VALUES ($1, to_timestamp($2 / 1000.0), $3)
       ON CONFLICT (run_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, query_count = EXCLUDED.query_count`,
      [r.runId, r.finishedAt, r.queryCount],
    );
  }
}

/** TypeORM's postgres driver hands out node-postgres clients; anything else is a configuration error. */
function pgClientOf(connection: unknown): pg.ClientBase {
  if (connection instanceof pg.Client) return connection;
  throw new Error('RecordWriter needs a node-postgres connection (TypeORM type "postgres")');
}
