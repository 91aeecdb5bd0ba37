import { Logger } from '@nestjs/common';
import { STREAMS, type QueryRecord, type RunFinished, type RunStarted } from '@aset/contracts';
import type { Clock } from '@aset/determinism';
import type { MessageBus } from '@aset/messaging';

/**
 * How long a record is retried before it counts as lost, from its first publish: half the records
 * stream's duplicate window, so that a retry of a record the server did store (its ack lost with
 * the connection) is always deduplicated. A NATS outage shorter than this loses nothing.
 */
export const PUBLISH_BUDGET_MS = STREAMS.records.duplicateWindowMs / 2;
const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 2_000;

/** How query records are published: a few at a time, each acknowledged on its own. */
export interface PublishWindow {
  /**
   * A query record waits up to this long for others, ms: the records queued meanwhile are published
   * together, in one socket write (their acks come back together too).
   */
  readonly lingerMs: number;
  /** Query records published and not yet acknowledged, at most; the others wait their turn. */
  readonly maxUnacked: number;
}

export const DEFAULT_PUBLISH_WINDOW: PublishWindow = { lingerMs: 5, maxUnacked: 1_024 };

/** A query record until it is stored or given up. */
interface Outgoing {
  readonly record: QueryRecord;
  readonly msgId: string;
  attempts: number;
  /** Given up when a publish fails after this time (set at the first publish). */
  deadline: number;
}

/**
 * Publishes one run's records to JetStream, each acknowledged by the server. A record is retried
 * with the same message id (JetStream deduplicates), backing off 200 ms, 400 ms, ... up to 2 s on
 * `clock`, for {@link PUBLISH_BUDGET_MS} from its first publish.
 *
 * Run records are published one at a time ({@link publishRun} waits for the ack). Query records are
 * queued ({@link queueQuery}) and published without waiting for each ack in turn: the records queued
 * within `lingerMs` go out together, at most `maxUnacked` without their ack yet; a failed one is
 * queued again after its backoff. {@link settled} waits for every queued record's end and says how
 * many were lost.
 */
export class RecordPublisher {
  private readonly logger = new Logger(RecordPublisher.name);
  private readonly queue: Outgoing[] = [];
  private unacked = 0;
  /** Query records queued and neither stored nor given up. */
  private open = 0;
  private lost = 0;
  private flushScheduled = false;
  private whenSettled: (() => void)[] = [];

  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly runId: string,
    /** The part of a split run this generator emits, if any. */
    private readonly partId?: string,
    private readonly window: PublishWindow = DEFAULT_PUBLISH_WINDOW,
  ) {}

  /**
   * The run's (or the part's) `started` or `finished` record (message id `<runId>.<kind>`, for a
   * part `<runId>.<partId>.<kind>`). Rejects when it could not be stored within the budget.
   */
  async publishRun(record: RunStarted | RunFinished): Promise<void> {
    const msgId = this.partId === undefined ? `${this.runId}.${record.kind}` : `${this.runId}.${this.partId}.${record.kind}`;
    const stored = await this.retrying(`run record ${msgId}`, () => this.bus.publishDurable('runRecord', { runId: this.runId }, record, msgId));
    if (!stored) throw new Error(`the ${record.kind} record of run ${this.runId} could not be stored in JetStream within ${PUBLISH_BUDGET_MS / 1000} s`);
  }

  /** Queues a query's terminal record (message id `<runId>.<queryId>`): published within `lingerMs`, retried until stored or the budget is spent. */
  queueQuery(record: QueryRecord): void {
    this.open++;
    this.queue.push({ record, msgId: `${record.runId}.${record.queryId}`, attempts: 0, deadline: Infinity });
    this.scheduleFlush();
  }

  /** Resolves once every query record queued so far is stored or given up, with how many were given up (lost) in all. */
  settled(): Promise<number> {
    if (this.open === 0) return Promise.resolve(this.lost);
    return new Promise((resolve) => this.whenSettled.push(() => resolve(this.lost)));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void this.clock.sleep(this.window.lingerMs).then(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Publishes queued records, in one synchronous loop (one socket write), while the window has room. */
  private flush(): void {
    while (this.unacked < this.window.maxUnacked) {
      const next = this.queue.shift();
      if (!next) return;
      this.send(next);
    }
  }

  private send(o: Outgoing): void {
    o.attempts++;
    if (o.attempts === 1) o.deadline = this.clock.now() + PUBLISH_BUDGET_MS;
    this.unacked++;
    this.bus.publishDurable('queryRecord', { runId: o.record.runId }, o.record, o.msgId).then(
      () => {
        this.unacked--;
        if (o.attempts > 1) this.logger.log(`record of ${o.record.queryId} stored at attempt ${o.attempts}`);
        this.done();
      },
      (e: unknown) => {
        this.unacked--;
        const backoff = backoffMs(o.attempts);
        if (this.clock.now() + backoff >= o.deadline) {
          this.logger.error(`record of ${o.record.queryId} NOT stored after ${o.attempts} attempts in ${PUBLISH_BUDGET_MS / 1000} s: ${describe(e)}`);
          this.lost++;
          this.done();
          return;
        }
        void this.clock.sleep(backoff).then(() => {
          this.queue.push(o);
          this.scheduleFlush();
        });
        if (this.queue.length > 0) this.scheduleFlush();
      },
    );
  }

  /** A record is stored or given up: its place in the window is free. */
  private done(): void {
    this.open--;
    if (this.queue.length > 0) this.scheduleFlush();
    if (this.open === 0) for (const resolve of this.whenSettled.splice(0)) resolve();
  }

  private async retrying(what: string, publish: () => Promise<void>): Promise<boolean> {
    const deadline = this.clock.now() + PUBLISH_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      try {
        await publish();
        if (attempt > 1) this.logger.log(`${what} stored at attempt ${attempt}`);
        return true;
      } catch (e) {
        const backoff = backoffMs(attempt);
        if (this.clock.now() + backoff >= deadline) {
          this.logger.error(`${what} NOT stored after ${attempt} attempts in ${PUBLISH_BUDGET_MS / 1000} s: ${describe(e)}`);
          return false;
        }
        await this.clock.sleep(backoff);
      }
    }
  }
}

/** The wait after failed attempt `attempt` (1, 2, ...): 200 ms, doubling, at most 2 s. */
function backoffMs(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
