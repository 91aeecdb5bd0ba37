/**
 * Ingestion benchmark: the metrics store's full path, from JetStream to committed rows, against a
 * raw `COPY queries FROM STDIN` of the same rows, in one process, against a real NATS server
 * (NATS_URL, default nats://127.0.0.1:4222) and a real PostgreSQL (DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; used as admin to create and drop a fresh database).
 *
 * Each repeat (fresh database, stream and tables):
 *  - store: publishes the N records to the records stream (JetStream, acked, PUBLISH_CONCURRENCY in
 *    flight; not timed), then, in-process, connects the store's own MessageBus and a TypeORM
 *    DataSource on the metrics schema (migrated; not timed) and builds the production
 *    `RecordIngestor` of `@aset/ingestion` on them, with its `IngestionMetrics` and the service's
 *    default options, as the metrics store wires it. Timed from the ingestor's start (durable
 *    consumer, zod decoding by the bus, RecordWriter, ack after commit) until `count(*)` of
 *    `queries` is N. The end time is when the confirming `count(*)` was issued.
 *  - copy: one `COPY ... FROM STDIN` of the same N rows, pre-encoded (not timed), into an empty
 *    `LIKE queries INCLUDING ALL` table (same columns, constraints and indexes), timed from BEGIN to
 *    COMMIT: the database's bulk-load speed on this machine at this moment.
 * The order of the two alternates between repeats and a CHECKPOINT precedes each, so that drift on
 * a noisy machine hits both alike. Afterwards the two tables are compared row by row.
 * `ratio` is the median over repeats of store/copy measured back to back (`ratioOfMedians`, the
 * ratio of the two medians, is printed too).
 * `cpuMicrosPerRow` gives the CPU time per row of this process (the store runs in it), of the
 * nats-server processes and of the PostgreSQL server during each timed phase, read from /proc: it
 * tells where the time goes, and unlike rows per second it hardly depends on what else the machine runs.
 *
 * Arguments: `--records N` (default 200000), `--repeats N` (5), `--runs N` (8, runs the records
 * spread over). `npm run bench:ingest` builds everything first.
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Logger, type LoggerService } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { QueryRecord } from '@aset/contracts';
import { uniqueTestPrefix } from '@aset/contracts/testing';
import { IngestionMetrics, RecordIngestor, metricsDataSourceOptions } from '@aset/ingestion';
import { MessageBus, type BusLogger } from '@aset/messaging';
import { ServiceMetrics } from '@aset/service-kit';
import { Command } from 'commander';
import { positiveInt } from '@aset/command-line';
import { median, perSecond, ratio } from './bench.stats.js';
import { generateQueryRecords } from './query-record.generator.js';
import { QUERY_TABLE_COLUMNS, QUERY_TIMESTAMP_COLUMNS, queryCopyLine } from './query-copy.encoder.js';
import { cpuPerRow, cpuSnapshot, parentPid } from './process-cpu.sampler.js';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PUBLISH_CONCURRENCY = 1_000;
const COPY_ROWS_PER_CHUNK = 1_000;
const INGEST_TIMEOUT_MS = 600_000;
const SAFETY_POLL_MS = 2_000;
const COPY_TABLE = 'queries_copy_baseline';

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

const busLogger: BusLogger = { log: () => undefined, warn: (m) => log(`bus: ${m}`), error: (m) => log(`bus error: ${m}`) };

/** Nest's default logger (the ingestor logs through it) writes to stdout; keep stdout for the result line. */
const nestLogger: LoggerService = {
  log: () => undefined,
  warn: (message: unknown) => log(`nest warn: ${String(message)}`),
  error: (message: unknown) => log(`nest error: ${String(message)}`),
};

/** CPU microseconds per row, by process (servers only when they run on this machine). */
type CpuPerRow = ReturnType<typeof cpuPerRow>;

interface StoreSample {
  rowsPerSecond: number;
  cpu: CpuPerRow;
  elapsedMs: number;
  publishPerSecond: number;
  batches: number;
  meanBatch: number;
  maxBatch: number;
  meanWriteMs: number;
  /** Share of the elapsed time a write was in flight. */
  writeBusy: number;
}

class FatalError extends Error {}

async function main(): Promise<void> {
  const { records, repeats, runs } = new Command('bench:ingest')
    .description('Records/s the metrics store ingests from JetStream into PostgreSQL against a bare COPY baseline, interleaved, medians (NATS_URL, DATABASE_URL). Last stdout line: one JSON object.')
    .option('--records <n>', 'query records per measurement', positiveInt('--records'), 200_000)
    .option('--repeats <n>', 'measurements of each (medians reported)', positiveInt('--repeats'), 5)
    .option('--runs <n>', 'runs the records are spread over', positiveInt('--runs'), 8)
    .parse()
    .opts<{ records: number; repeats: number; runs: number }>();

  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (e) {
    throw new FatalError(`cannot connect to PostgreSQL at ${redact(ADMIN_URL)}: ${describe(e)} (set DATABASE_URL)`);
  }
  const dbName = `aset_bench_ingest_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${dbName}`;
  const prefix = uniqueTestPrefix('bench_ingest');
  let bus: MessageBus;
  try {
    bus = await MessageBus.connect({ servers: NATS_URL, name: 'bench-ingest', prefix, logger: busLogger });
  } catch (e) {
    await admin.end();
    throw new FatalError(`${describe(e)} (set NATS_URL)`);
  }
  const serverVersion = (await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? '?';
  const backend = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  const postmaster = backend === undefined ? undefined : parentPid(backend);
  log(`NATS ${NATS_URL} (server ${bus.serverVersion ?? '?'}), PostgreSQL ${serverVersion}, database ${dbName}, prefix ${prefix}`);

  Logger.overrideLogger(nestLogger);

  log(`generating ${records} query records over ${runs} runs`);
  // The records are generated again for each publication and not kept: 200k live objects in this
  // process would make every major GC of the store (which runs here too) slower than in the service.
  const encodeStart = performance.now();
  const copyChunks = encodeCopyChunks(generateQueryRecords(records, runs));
  const copyEncodeMs = performance.now() - encodeStart;
  const copyBytes = copyChunks.reduce((n, c) => n + c.byteLength, 0);
  log(`COPY payload ${(copyBytes / 1e6).toFixed(1)} MB, encoded in ${copyEncodeMs.toFixed(0)} ms (not timed)`);

  const storeSamples: StoreSample[] = [];
  const copySamples: { rowsPerSecond: number; cpu: CpuPerRow }[] = [];
  let payloadBytes = 0;
  let indexes = 0;
  const started = performance.now();
  try {
    for (let repeat = 1; repeat <= repeats; repeat++) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${dbName}`);
      // A fresh stream each repeat; the store creates its durable consumer when it starts and reads from the stream's start.
      await bus.deleteStream('records');
      await bus.ensureStream('records');

      log(`repeat ${repeat}/${repeats}: publishing ${records} records`);
      const publish = await publishAll(bus, generateQueryRecords(records, runs));
      payloadBytes = publish.payloadBytes;
      // The store's connections, as the service opens them at start: the schema exists from here on.
      const store = await openStore(dbUrl.toString(), prefix);
      const db = new pg.Client({ connectionString: dbUrl.toString() });
      await db.connect();
      try {
        await db.query(`CREATE TABLE ${COPY_TABLE} (LIKE queries INCLUDING ALL)`);
        indexes = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'queries'`)).rows[0]?.n ?? 0);
        const storeFirst = repeat % 2 === 1;
        const runStore = async () => {
          await checkpoint(db);
          const s = await measureStore(store, db, records, publish.perSecond, postmaster);
          storeSamples.push(s);
          log(
            `repeat ${repeat}/${repeats} store: ${s.rowsPerSecond} rows/s (${(s.elapsedMs / 1000).toFixed(2)} s; published at ${s.publishPerSecond} msg/s), ` +
              `${s.batches} batches, mean ${s.meanBatch}, max ${s.maxBatch}, mean write ${s.meanWriteMs} ms, writing ${Math.round(s.writeBusy * 100)}% of the time; ` +
              `CPU us/row ${JSON.stringify(s.cpu)}`,
          );
          await expectAllAcked(bus);
        };
        const runCopy = async () => {
          await checkpoint(db);
          const c = await measureCopy(db, copyChunks, records, postmaster);
          copySamples.push(c);
          log(`repeat ${repeat}/${repeats} copy : ${c.rowsPerSecond} rows/s; CPU us/row ${JSON.stringify(c.cpu)}`);
        };
        if (storeFirst) {
          await runStore();
          await runCopy();
        } else {
          await runCopy();
          await runStore();
        }
        await compareTables(db, records);
      } finally {
        await db.end();
        await store.close();
      }
    }
  } finally {
    await bus.deleteStream('records').catch(() => false);
    await bus.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e: unknown) => log(`could not drop ${dbName}: ${describe(e)}`));
    await admin.end();
  }

  const rowsPerSecond = Math.round(median(storeSamples.map((s) => s.rowsPerSecond)));
  const copyRowsPerSecond = Math.round(median(copySamples.map((c) => c.rowsPerSecond)));
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const result = {
    bench: 'ingest',
    records,
    runs,
    repeats,
    payloadBytes,
    queryIndexes: indexes,
    rowsPerSecond,
    copyRowsPerSecond,
    // Each repeat measures both sides back to back (alternating which goes first), so the ratio of a
    // repeat compares them under the same machine load; its median is the figure of record.
    ratio: round2(median(storeSamples.map((s, i) => ratio(s.rowsPerSecond, copySamples[i]?.rowsPerSecond ?? Number.NaN)))),
    ratioOfMedians: ratio(rowsPerSecond, copyRowsPerSecond),
    publishPerSecond: Math.round(median(storeSamples.map((s) => s.publishPerSecond))),
    batches: {
      count: Math.round(median(storeSamples.map((s) => s.batches))),
      meanRecords: Math.round(median(storeSamples.map((s) => s.meanBatch))),
      maxRecords: Math.max(...storeSamples.map((s) => s.maxBatch)),
      meanWriteMs: round1(median(storeSamples.map((s) => s.meanWriteMs))),
      writeBusy: Math.round(median(storeSamples.map((s) => s.writeBusy)) * 100) / 100,
    },
    cpuMicrosPerRow: { store: medianCpu(storeSamples.map((s) => s.cpu)), copy: medianCpu(copySamples.map((c) => c.cpu)) },
    samples: {
      rowsPerSecond: storeSamples.map((s) => s.rowsPerSecond),
      copyRowsPerSecond: copySamples.map((c) => c.rowsPerSecond),
      ratio: storeSamples.map((s, i) => ratio(s.rowsPerSecond, copySamples[i]?.rowsPerSecond ?? Number.NaN)),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The baseline's COPY payload: text format, COPY_ROWS_PER_CHUNK rows per buffer. */
function encodeCopyChunks(data: readonly QueryRecord[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += COPY_ROWS_PER_CHUNK) {
    chunks.push(Buffer.from(data.slice(i, i + COPY_ROWS_PER_CHUNK).map(queryCopyLine).join('')));
  }
  return chunks;
}

/** What the metrics store connects at start: its own NATS connection and a migrated DataSource. */
interface StoreConnections {
  bus: MessageBus;
  dataSource: DataSource;
  /** The ingestor started on them, if any; stopped by close(). */
  ingestor?: RecordIngestor;
  close(): Promise<void>;
}

/** The store's MessageBus (own connection, as the service has) and a DataSource on the migrated metrics schema. */
async function openStore(databaseUrl: string, prefix: string): Promise<StoreConnections> {
  const bus = await MessageBus.connect({ servers: NATS_URL, name: 'metrics-store', prefix, logger: busLogger });
  const dataSource = new DataSource(metricsDataSourceOptions(databaseUrl));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
  } catch (e) {
    await bus.close();
    throw e;
  }
  const store: StoreConnections = {
    bus,
    dataSource,
    async close() {
      await store.ingestor?.onApplicationShutdown();
      await dataSource.destroy();
      await bus.close();
    },
  };
  return store;
}

/** Publishes every record with JetStream acks, `PUBLISH_CONCURRENCY` in flight, under the ids the workload generator uses. */
async function publishAll(bus: MessageBus, data: readonly QueryRecord[]): Promise<{ perSecond: number; payloadBytes: number }> {
  let next = 0;
  let bytes = 0;
  const worker = async (): Promise<void> => {
    while (next < data.length) {
      const r = data[next++] as QueryRecord;
      await bus.publishDurable('queryRecord', { runId: r.runId }, r, `${r.runId}.${r.queryId}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, worker));
  const perSecondRate = perSecond(data.length, performance.now() - start);
  for (let i = 0; i < Math.min(1000, data.length); i++) bytes += JSON.stringify(data[i]).length;
  return { perSecond: perSecondRate, payloadBytes: Math.round(bytes / Math.min(1000, data.length)) };
}

/**
 * Starts the store's ingestion and waits until `queries` holds `expected` rows. `count(*)` is issued
 * as soon as the ingestor reports that many committed rows (and every SAFETY_POLL_MS regardless: a
 * count of a growing table costs the database time, which would be charged to the store); the end
 * time is when the confirming count was issued, so it never precedes the commits it saw.
 */
async function measureStore(
  store: StoreConnections,
  db: pg.Client,
  expected: number,
  publishPerSecond: number,
  postmaster: number | undefined,
): Promise<StoreSample> {
  // Wired as MetricsStoreModule wires it: the service's default options, its Prometheus metrics.
  const ingestor = new RecordIngestor(store.bus, store.dataSource, undefined, undefined, new IngestionMetrics(new ServiceMetrics('metrics-store', store.bus), store.bus));
  store.ingestor = ingestor;
  const cpuBefore = cpuSnapshot(postmaster);
  const start = performance.now();
  await ingestor.onApplicationBootstrap();
  let lastCount = start;
  let end = 0;
  for (;;) {
    await sleep(2);
    const now = performance.now();
    if (now - start > INGEST_TIMEOUT_MS) throw new Error(`only ${ingestor.ingested}/${expected} rows after ${INGEST_TIMEOUT_MS} ms`);
    if (ingestor.ingested < expected && now - lastCount < SAFETY_POLL_MS) continue;
    lastCount = now;
    const n = await countRows(db, 'queries');
    if (n >= expected) {
      end = now;
      break;
    }
  }
  const elapsedMs = end - start;
  const cpu = cpuPerRow(cpuBefore, cpuSnapshot(postmaster), expected);
  const n = await countRows(db, 'queries');
  if (n !== expected) throw new Error(`store wrote ${n} rows for ${expected} records`);
  const s = ingestor.stats;
  if (s.invalid > 0 || s.refused > 0 || s.failedWrites > 0) log(`store stats: ${JSON.stringify(s)}`);
  return {
    rowsPerSecond: perSecond(expected, elapsedMs),
    cpu,
    elapsedMs,
    publishPerSecond,
    batches: s.batches,
    meanBatch: s.batches > 0 ? Math.round(s.records / s.batches) : 0,
    maxBatch: s.maxBatch,
    meanWriteMs: s.batches > 0 ? round1(s.writeMs / s.batches) : 0,
    writeBusy: Math.min(1, s.writeMs / elapsedMs),
  };
}

/** One COPY of the pre-encoded rows into the empty baseline table, BEGIN to COMMIT; rows per second. */
async function measureCopy(db: pg.Client, chunks: readonly Buffer[], expected: number, postmaster: number | undefined): Promise<{ rowsPerSecond: number; cpu: CpuPerRow }> {
  const cpuBefore = cpuSnapshot(postmaster);
  const start = performance.now();
  await db.query('BEGIN');
  const stream = db.query(copyFrom(`COPY ${COPY_TABLE} (${QUERY_TABLE_COLUMNS.join(', ')}) FROM STDIN`));
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await finished(stream);
  await db.query('COMMIT');
  const elapsed = performance.now() - start;
  const cpu = cpuPerRow(cpuBefore, cpuSnapshot(postmaster), expected);
  const n = await countRows(db, COPY_TABLE);
  if (n !== expected) throw new Error(`COPY wrote ${n} rows for ${expected}`);
  return { rowsPerSecond: perSecond(expected, elapsed), cpu };
}

/** Row-by-row comparison of what the store wrote with the raw COPY (timestamps to the microsecond). */
async function compareTables(db: pg.Client, expected: number): Promise<void> {
  const differs = QUERY_TABLE_COLUMNS.filter((c) => c !== 'run_id' && c !== 'query_id').map((c) =>
    QUERY_TIMESTAMP_COLUMNS.has(c)
      ? `(s.${c} IS NULL) <> (b.${c} IS NULL) OR abs(extract(epoch FROM s.${c} - b.${c})) > 0.0000015`
      : `s.${c} IS DISTINCT FROM b.${c}`,
  );
  const sql = `SELECT count(*) AS n FROM queries s FULL JOIN ${COPY_TABLE} b USING (run_id, query_id)
    WHERE s.run_id IS NULL OR b.run_id IS NULL OR ${differs.map((d) => `(${d})`).join(' OR ')}`;
  const mismatches = Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? -1);
  if (mismatches !== 0) throw new Error(`the store's rows differ from the raw COPY in ${mismatches} of ${expected} rows`);
}

/** After the last commit the store's acks are in flight; the consumer must settle at nothing pending. */
async function expectAllAcked(bus: MessageBus): Promise<void> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const state = await bus.consumerState('metricsStore');
    if (state.ackPending === 0 && state.pending === 0) return;
    if (performance.now() > deadline) throw new Error(`consumer still has ${state.ackPending} unacknowledged and ${state.pending} pending messages`);
    await sleep(50);
  }
}

async function countRows(db: pg.Client, table: string): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0);
}

/** Flushes dirty buffers before a timed phase, so that neither side pays for the other's writes (needs superuser; skipped otherwise). */
async function checkpoint(db: pg.Client): Promise<void> {
  await db.query('CHECKPOINT').catch(() => undefined);
}


function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Per-process medians of CPU samples (a process missing from any sample is left out). */
function medianCpu(samples: readonly CpuPerRow[]): CpuPerRow {
  const pick = (key: 'nats' | 'postgres') => {
    const values = samples.map((s) => s[key]);
    return values.every((v): v is number => v !== undefined) && values.length > 0 ? round1(median(values)) : undefined;
  };
  const result: CpuPerRow = { node: round1(median(samples.map((s) => s.node))) };
  const nats = pick('nats');
  const postgres = pick('postgres');
  if (nats !== undefined) result.nats = nats;
  if (postgres !== undefined) result.postgres = postgres;
  return result;
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const message = e instanceof FatalError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`ingest bench failed: ${message}\n`);
    process.exit(1);
  },
);
