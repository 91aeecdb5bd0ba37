import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { CONSUMERS, QueryRecordSchema, RunRecordSchema, decodeMessage, type QueryRecord, type RunRecord } from '@aset/contracts';
import { MessageBus, ensureRecordStream } from '@aset/messaging';
import { RecordWriter } from './record.writer.js';

const BATCH = 2000;
const RETRY_DELAY_MS = 1000;

/**
 * Consumes records from the durable JetStream consumer, writes them in batches (whatever arrived
 * while the previous write ran, up to BATCH) in one transaction each, and acknowledges messages only
 * after the commit. A failed write NAKs the batch for redelivery; invalid messages are counted and
 * terminated (never redelivered, never silently lost).
 */
@Injectable()
export class RecordIngestor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecordIngestor.name);
  private readonly writer: RecordWriter;
  private readonly buffer: JsMsg[] = [];
  private wake?: () => void;
  private running = false;
  private loop?: Promise<void>;
  private messages?: ConsumerMessages;
  /** Query rows committed since start (new rows only). */
  ingested = 0;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(DataSource) db: DataSource,
  ) {
    this.writer = new RecordWriter(db);
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureRecordStream(await this.bus.jsm(), this.bus.subjects);
    const stream = this.bus.subjects.streamName(CONSUMERS.metricsStore.stream);
    const consumer = await this.bus.js().consumers.get(stream, CONSUMERS.metricsStore.durable);
    this.messages = await consumer.consume({
      max_messages: BATCH,
      callback: (m) => {
        this.buffer.push(m);
        this.wake?.();
      },
    });
    this.running = true;
    this.loop = this.run();
    this.logger.log(`ingesting ${stream} through durable consumer ${CONSUMERS.metricsStore.durable}`);
  }

  /** Stops pulling, writes what was already received, and hands the rest back for prompt redelivery. */
  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.messages?.close();
    this.wake?.();
    await this.loop;
    for (const m of this.buffer.splice(0)) m.nak();
  }

  private async run(): Promise<void> {
    while (this.running || this.buffer.length > 0) {
      if (this.buffer.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
        continue;
      }
      await this.ingest(this.buffer.splice(0, BATCH));
    }
  }

  /** Writes one batch; exported for tests through the class. */
  async ingest(messages: JsMsg[]): Promise<void> {
    const runs: RunRecord[] = [];
    const queries: QueryRecord[] = [];
    const valid: JsMsg[] = [];
    for (const m of messages) {
      const isRun = this.bus.subjects.matches('runRecord', m.subject);
      const decoded = isRun ? decodeMessage(RunRecordSchema, m.data, m.subject) : decodeMessage(QueryRecordSchema, m.data, m.subject);
      if (!decoded.ok) {
        this.bus.noteInvalid(m.subject, decoded.message);
        m.term(decoded.message.slice(0, 200));
        continue;
      }
      if (isRun) runs.push(decoded.value as RunRecord);
      else queries.push(decoded.value as QueryRecord);
      valid.push(m);
    }
    if (valid.length === 0) return;
    try {
      this.ingested += await this.writer.write(runs, queries);
    } catch (e) {
      this.logger.error(`writing ${valid.length} records failed, will be redelivered: ${e instanceof Error ? e.message : String(e)}`);
      for (const m of valid) m.nak(RETRY_DELAY_MS);
      await sleep(RETRY_DELAY_MS);
      return;
    }
    for (const m of valid) m.ack();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
