import { Logger } from '@nestjs/common';
import type { QueryRecord, RunFinished, RunStarted } from '@aset/contracts';
import type { Clock } from '@aset/determinism';
import type { MessageBus } from '@aset/messaging';

/** Attempts per query record before it counts as lost. */
export const PUBLISH_ATTEMPTS = 5;

/**
 * Publishes one run's records to JetStream, each acked by the server. A query record is retried
 * with the same message id (JetStream deduplicates), backing off 200 ms, 400 ms, ... on `clock`.
 */
export class RecordPublisher {
  private readonly logger = new Logger(RecordPublisher.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly runId: string,
    /** The part of a split run this generator emits, if any. */
    private readonly partId?: string,
  ) {}

  /** The run's (or the part's) `started` or `finished` record (message id `<runId>.<kind>`, for a part `<runId>.<partId>.<kind>`). */
  async publishRun(record: RunStarted | RunFinished): Promise<void> {
    const msgId = this.partId === undefined ? `${this.runId}.${record.kind}` : `${this.runId}.${this.partId}.${record.kind}`;
    await this.bus.publishDurable('runRecord', { runId: this.runId }, record, msgId);
  }

  /** A query's terminal record; false when it could not be stored after {@link PUBLISH_ATTEMPTS} attempts. */
  async publishQuery(record: QueryRecord): Promise<boolean> {
    for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
      try {
        await this.bus.publishDurable('queryRecord', { runId: record.runId }, record, `${record.runId}.${record.queryId}`);
        return true;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        if (attempt === PUBLISH_ATTEMPTS) {
          this.logger.error(`record of ${record.queryId} NOT stored after ${attempt} attempts: ${why}`);
          return false;
        }
        await this.clock.sleep(100 * 2 ** attempt);
      }
    }
    return false;
  }
}
