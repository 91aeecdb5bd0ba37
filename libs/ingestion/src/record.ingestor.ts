import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONSUMERS, type DecisionRecord, type DurableKey, type QueryRecord, type RunRecord } from '@aset/contracts';
import { MessageBus, type Consumption, type Delivery, type Refusal } from '@aset/messaging';
import { IngestionMetrics } from './ingestion.metrics.js';
import { checkDecisionWritable } from './decision.writer.js';
import { QueryRows, UnwritableRecordError } from './query-copy.encoder.js';
import { RecordWriter, checkRunWritable, isDataError, type RecordBatchContent, type RecordSink } from './record.writer.js';

/** Tuning of {@link RecordIngestor}; every field has a default. */
export interface IngestOptions {
  /** Most records in one transaction. A batch is whatever arrived while the previous write ran (or within `lingerMs`), up to this. */
  maxBatch: number;
  /** Messages the pull consumer keeps requested ahead of the callback (the consumer's max_ack_pending bounds it too). */
  pullAhead: number;
  /** Batches written concurrently (each in its own transaction and connection). */
  maxInFlight: number;
  /** After a failed write: when its messages are redelivered, and how long writing pauses. */
  retryDelayMs: number;
  /**
   * A record waits up to this long (ms) for others to share its batch; 0: only for the rest of the
   * socket read. A write that ends starts the next batches at once, whatever this says.
   */
  lingerMs: number;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = { maxBatch: 5_000, pullAhead: 10_000, maxInFlight: 2, retryDelayMs: 1_000, lingerMs: 10 };

/** Optional provider: partial {@link IngestOptions}. */
export const INGEST_OPTIONS = Symbol('INGEST_OPTIONS');
/** Optional provider: the {@link RecordSink} to write through instead of a RecordWriter on the DataSource (tests). */
export const RECORD_SINK = Symbol('RECORD_SINK');

/** Counters since start, for tests, benchmarks and logs. */
export interface IngestStats {
  /** Transactions committed. */
  batches: number;
  /** Records (of every kind) in committed batches, and the largest batch. */
  records: number;
  maxBatch: number;
  /** Total time spent in committed writes, ms (from the start of the transaction to the commit). */
  writeMs: number;
  /** Writes that failed and were handed back for redelivery (NAK). */
  failedWrites: number;
  /** Valid-looking records the database refused (terminated, and counted as invalid too). */
  refused: number;
  /** Messages terminated: not JSON, schema, a subject the store does not keep, or refused. */
  invalid: number;
}

type Kind = 'run' | 'query' | 'decision';

/** The record kinds the store keeps, by contract key (the durable consumer delivers the whole records stream). */
const KIND_OF_KEY = { runRecord: 'run', queryRecord: 'query', decisionRecord: 'decision' } as const satisfies Record<DurableKey, Kind>;

/**
 * What the ingestor keeps of a delivered message until its batch settles: its delivery (the
 * acknowledgement handle and the subject), not the message, which is in the batch already.
 */
type Pending = Delivery;

type Settlement = 'ack' | 'nak' | 'nak-later' | 'term';

/** Records that travel to the database together, each kind with its pending messages in the same order. */
class Batch implements RecordBatchContent {
  readonly runs: RunRecord[] = [];
  readonly runMessages: Pending[] = [];
  readonly decisions: DecisionRecord[] = [];
  readonly decisionMessages: Pending[] = [];
  readonly queryMessages: Pending[] = [];

  constructor(readonly queries: QueryRows) {}

  get size(): number {
    return this.runMessages.length + this.decisionMessages.length + this.queryMessages.length;
  }

  messages(): Pending[] {
    return [...this.runMessages, ...this.decisionMessages, ...this.queryMessages];
  }

  /** Two smaller non-empty batches (kinds apart first, then halves), to isolate a record the database refuses. Only for size > 1. */
  split(): [Batch, Batch] {
    const runs = this.runs.length;
    const decisions = this.decisions.length;
    const queries = this.queries.count;
    if (runs > 0 && decisions + queries > 0) return [this.part([0, runs], [0, 0], [0, 0]), this.part([runs, runs], [0, decisions], [0, queries])];
    if (decisions > 0 && queries > 0) return [this.part([0, 0], [0, decisions], [0, 0]), this.part([0, 0], [decisions, decisions], [0, queries])];
    const r = Math.ceil(runs / 2);
    const d = Math.ceil(decisions / 2);
    const q = Math.ceil(queries / 2);
    return [this.part([0, r], [0, d], [0, q]), this.part([r, runs], [d, decisions], [q, queries])];
  }

  private part(runs: [number, number], decisions: [number, number], queries: [number, number]): Batch {
    const b = new Batch(this.queries.slice(...queries));
    b.runs.push(...this.runs.slice(...runs));
    b.runMessages.push(...this.runMessages.slice(...runs));
    b.decisions.push(...this.decisions.slice(...decisions));
    b.decisionMessages.push(...this.decisionMessages.slice(...decisions));
    b.queryMessages.push(...this.queryMessages.slice(...queries));
    return b;
  }
}

/**
 * Consumes records (query, run and decision records) from the durable JetStream consumer and writes
 * them in batches, one transaction each, while the next batch is being received and decoded. A batch
 * is whatever arrived while the previous write ran, or within `lingerMs` of its first record, up to
 * `maxBatch` (group commit): batches grow with the backlog and stay small when traffic is light. The bus decodes and validates each message
 * (zod) when it arrives, and a query record is encoded into the batch's COPY buffer right away (run
 * and decision records are checked against their columns' ranges), so that a number no column holds
 * is refused on receipt.
 *
 * Guarantees:
 * - a message is acknowledged only after the transaction holding its row has COMMITTED;
 * - idempotent by (run_id, query_id) (decisions by run, scheduler and step): a redelivered or
 *   republished record never adds a row;
 * - invalid messages (not JSON, schema, unknown subject, a value no column can hold) are counted and
 *   terminated, never redelivered;
 * - a failed write NAKs its batch for redelivery after `retryDelayMs`, together with everything
 *   received but not yet written, and pauses writing as long; when the database refuses the data
 *   itself (e.g. a NUL character in a text), the batch is split until the refused records stand
 *   alone, and those are counted as invalid and terminated, so that one bad record cannot block the rest.
 *
 * `ingested` and `stats` count what was committed since start.
 */
@Injectable()
export class RecordIngestor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecordIngestor.name);
  private readonly writer: RecordSink;
  private readonly options: IngestOptions;
  /** Batches ready to write, in arrival order; the last one may still be filling. */
  private readonly queue: Batch[] = [];
  private inFlight = 0;
  private drained?: () => void;
  private pausedUntil = 0;
  private resumeTimer?: NodeJS.Timeout;
  private pumpTimer?: NodeJS.Timeout;
  private pumpScheduled = false;
  private stopping = false;
  private consumption?: Consumption;
  /** Query rows committed since start (new rows only). */
  ingested = 0;
  readonly stats: IngestStats = { batches: 0, records: 0, maxBatch: 0, writeMs: 0, failedWrites: 0, refused: 0, invalid: 0 };

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(DataSource) db: DataSource,
    @Optional() @Inject(RECORD_SINK) sink?: RecordSink,
    @Optional() @Inject(INGEST_OPTIONS) options?: Partial<IngestOptions>,
    @Optional() @Inject(IngestionMetrics) private readonly metrics?: IngestionMetrics,
  ) {
    this.writer = sink ?? new RecordWriter(db);
    this.options = { ...DEFAULT_INGEST_OPTIONS, ...options };
  }

  /** Starts consuming; the metrics store owns the durable consumer, so this creates it when it does not exist. */
  async onApplicationBootstrap(): Promise<void> {
    this.consumption = await this.bus.consume(
      { durable: 'metricsStore' },
      {
        queryRecord: (record, delivery) => this.receiveQuery(record, delivery),
        runRecord: (record, delivery) => this.receiveRun(record, delivery),
        decisionRecord: (record, delivery) => this.receiveDecision(record, delivery),
      },
      { pullAhead: this.options.pullAhead, onRefused: (refusal) => this.refused(refusal) },
    );
    this.logger.log(`ingesting ${this.bus.subjects.streamName(CONSUMERS.metricsStore.stream)} through durable consumer ${CONSUMERS.metricsStore.durable}`);
  }

  /** Stops pulling, writes what was already received (after the writes in flight), and NAKs what could not be written. */
  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.consumption?.close();
    this.consumption = undefined;
    clearTimeout(this.resumeTimer);
    this.resumeTimer = undefined;
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.pausedUntil = 0;
    for (;;) {
      this.pump();
      if (this.inFlight === 0) break;
      await new Promise<void>((resolve) => {
        this.drained = resolve;
      });
    }
    for (const batch of this.queue.splice(0)) this.settle(batch.messages(), 'nak');
  }

  /** Encodes a query record into the batch being filled; one no column can hold is refused here. */
  private receiveQuery(record: QueryRecord, delivery: Delivery): void {
    const batch = this.filling();
    try {
      batch.queries.append(record);
    } catch (e) {
      if (e instanceof UnwritableRecordError) {
        this.refuse(delivery, `${delivery.subject}: ${e.message}`, 'query');
        return;
      }
      throw e;
    }
    batch.queryMessages.push(delivery);
    this.schedulePump();
  }

  private receiveRun(record: RunRecord, delivery: Delivery): void {
    const unwritable = unwritableBy(checkRunWritable, record);
    if (unwritable) {
      this.refuse(delivery, `${delivery.subject}: ${unwritable}`, 'run');
      return;
    }
    const batch = this.filling();
    batch.runs.push(record);
    batch.runMessages.push(delivery);
    this.schedulePump();
  }

  private receiveDecision(record: DecisionRecord, delivery: Delivery): void {
    const unwritable = unwritableBy(checkDecisionWritable, record);
    if (unwritable) {
      this.refuse(delivery, `${delivery.subject}: ${unwritable}`, 'decision');
      return;
    }
    const batch = this.filling();
    batch.decisions.push(record);
    batch.decisionMessages.push(delivery);
    this.schedulePump();
  }

  /** The batch being filled: the last one, unless it is full. */
  private filling(): Batch {
    let batch = this.queue[this.queue.length - 1];
    if (!batch || batch.size >= this.options.maxBatch) {
      batch = new Batch(new QueryRows());
      this.queue.push(batch);
    }
    return batch;
  }

  /**
   * Lets the records of the next `lingerMs` arrive (a transaction and a COPY cost about as much for
   * one record as for dozens) before deciding how much goes into the next write.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    const run = () => {
      this.pumpScheduled = false;
      this.pumpTimer = undefined;
      this.pump();
    };
    if (this.options.lingerMs > 0) this.pumpTimer = setTimeout(run, this.options.lingerMs);
    else setImmediate(run);
  }

  /** Counts a message the bus refused (not JSON, schema, a subject the store keeps nothing of); the bus counted, logged and terminated it. */
  private refused(refusal: Refusal<DurableKey>): void {
    this.stats.invalid++;
    this.metrics?.refused(refusal.key === undefined ? 'unknown' : KIND_OF_KEY[refusal.key]);
  }

  /**
   * Refuses a valid record the store cannot write: terminated, and counted and logged once per
   * stored message (a redelivery of one refused before is terminated, not counted again). Returns
   * whether it counted.
   */
  private refuse(m: Pending, why: string, kind: Kind): boolean {
    if (!m.refuse(why)) return false;
    this.stats.invalid++;
    this.metrics?.refused(kind);
    return true;
  }

  /**
   * Acknowledges (ACK), hands back (NAK, now or after retryDelayMs) or terminates each message.
   * Once the connection is closed (shutdown) these do nothing: the server then redelivers whatever
   * was not acknowledged after ack_wait, which the idempotent write absorbs.
   */
  private settle(messages: readonly Pending[], how: Settlement): void {
    for (const m of messages) {
      if (how === 'ack') m.ack();
      else if (how === 'nak') m.nak();
      else if (how === 'nak-later') m.nak(this.options.retryDelayMs);
      else m.term();
    }
  }

  /** Starts writes while there is something to write, a free slot, and no retry pause. */
  private pump(): void {
    if (Date.now() < this.pausedUntil) return;
    while (this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.shift();
      if (!batch) break;
      if (batch.size === 0) continue;
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0) this.drained?.();
      });
    }
  }

  /** Writes one batch, then ACKs it (committed), NAKs it (may pass later) or isolates refused records. Never throws. */
  private async commit(batch: Batch): Promise<void> {
    const started = performance.now();
    let inserted: number;
    try {
      inserted = await this.writer.write(batch);
    } catch (e) {
      if (isDataError(e)) return this.isolate(batch, e);
      return this.handBack(batch, e);
    }
    // Counted after the await: with writes in flight concurrently, `x += await` would lose updates.
    this.ingested += inserted;
    this.stats.batches++;
    this.stats.records += batch.size;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.size);
    const writeMs = performance.now() - started;
    this.stats.writeMs += writeMs;
    this.metrics?.committed({ query: batch.queryMessages.length, run: batch.runMessages.length, decision: batch.decisionMessages.length }, inserted, writeMs);
    this.settle(batch.runMessages, 'ack');
    this.settle(batch.decisionMessages, 'ack');
    this.settle(batch.queryMessages, 'ack');
  }

  /** The database refused something in the batch: write halves until the refused records stand alone. */
  private async isolate(batch: Batch, e: unknown): Promise<void> {
    if (batch.size > 1) {
      for (const half of batch.split()) await this.commit(half);
      return;
    }
    const m = batch.messages()[0];
    if (!m) return;
    const kind = batch.runs.length > 0 ? 'run' : batch.decisions.length > 0 ? 'decision' : 'query';
    if (this.refuse(m, `${m.subject}: refused by the database: ${describe(e)}`, kind)) this.stats.refused++;
  }

  /** A write failed for a reason that may pass: NAK it and everything waiting, and pause writing. */
  private handBack(batch: Batch, e: unknown): void {
    const handed = [batch, ...this.queue.splice(0)];
    for (const b of handed) this.settle(b.messages(), 'nak-later');
    this.stats.failedWrites++;
    this.metrics?.failedWrite();
    const count = handed.reduce((n, b) => n + b.size, 0);
    this.logger.error(`writing ${batch.size} records failed, ${count} messages will be redelivered: ${describe(e)}`);
    if (this.stopping) return;
    this.pausedUntil = Date.now() + this.options.retryDelayMs;
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = undefined;
      this.pump();
    }, this.options.retryDelayMs);
  }
}

/** Why `check` finds `record` unwritable (its UnwritableRecordError's message), or undefined. */
function unwritableBy<R>(check: (record: R) => void, record: R): string | undefined {
  try {
    check(record);
    return undefined;
  } catch (e) {
    if (e instanceof UnwritableRecordError) return e.message;
    throw e;
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
