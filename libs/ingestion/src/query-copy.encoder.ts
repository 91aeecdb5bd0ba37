import type { QueryRecord } from '@aset/contracts';

/**
 * Columns of `queries` in COPY order, with their binary COPY type. {@link QueryRows.append} writes
 * the fields in this order.
 */
export const QUERY_COPY_COLUMNS: readonly (readonly [column: string, type: 'text' | 'ts' | 'float8' | 'bool' | 'int4'])[] = [
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

/** PostgreSQL binary COPY framing: signature, flags, header extension length; and the end marker. */
const COPY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const FIELDS = QUERY_COPY_COLUMNS.length;
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
function pgTimestampMicros(ms: number): number {
  const x = (ms / 1000 - PG_EPOCH_SECONDS) * 1e6;
  const floor = Math.floor(x);
  const fraction = x - floor;
  return fraction < 0.5 ? floor : fraction > 0.5 ? floor + 1 : floor % 2 === 0 ? floor : floor + 1;
}

/** Throws {@link UnwritableRecordError} when `ms` is beyond what a PostgreSQL timestamp (to_timestamp) holds. */
export function checkTimestamp(ms: number | null): void {
  if (ms === null) return;
  const seconds = ms / 1000;
  if (!(seconds >= TIMESTAMP_MIN_SECONDS && seconds < TIMESTAMP_END_SECONDS)) {
    throw new UnwritableRecordError(`timestamp ${ms} ms is out of range`);
  }
}

/** Throws {@link UnwritableRecordError} when `v` does not fit an integer (int4) column. */
export function checkInt4(field: string, v: number | null): void {
  if (v !== null && !(Number.isInteger(v) && v >= INT4_MIN && v <= INT4_MAX)) {
    throw new UnwritableRecordError(`${field} ${v} does not fit the integer column`);
  }
}
