import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ClusterHeartbeat } from '@aset/contracts';
import { MessageBus, type BusSubscription } from '@aset/messaging';
import { writeClusterSamples } from './cluster-sample.writer.js';
import { isDataError } from './record.writer.js';

/** Write at least this often, ms. */
const FLUSH_MS = 1000;
/** ... or as soon as this many samples are buffered; also the largest write. */
const FLUSH_SAMPLES = 1000;
/** While the database refuses writes, keep at most this many samples (the oldest go first). */
const MAX_BUFFERED = 50_000;

/**
 * Stores every worker heartbeat as a `cluster_samples` row. Subscribes over core NATS (not
 * durable): heartbeats sent while the store is down or disconnected are lost, which the reports
 * tolerate (utilisation is a mean over the samples present). Buffers samples and writes them every
 * FLUSH_MS or FLUSH_SAMPLES, whichever comes first, with one idempotent INSERT per batch; a failed
 * write is retried with the next flush. A heartbeat valid by its contract that no column can hold
 * (e.g. `slots` beyond a 32-bit integer, `sentAt` beyond year 294276) is isolated by writing halves,
 * counted as invalid on its subject (`MessageBus.noteInvalid`) and dropped, so that it cannot hold
 * back the others. Writes what it holds before the application shuts down.
 */
@Injectable()
export class ClusterSampler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ClusterSampler.name);
  private buffer: ClusterHeartbeat[] = [];
  private subscription?: BusSubscription;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private failing = false;
  /** Samples stored (new rows) since start. */
  written = 0;
  /** Samples discarded because the buffer was full while writes failed. */
  dropped = 0;
  /** Samples the database refused (no column can hold them), dropped. */
  refused = 0;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.bus.subscribe('clusterHeartbeat', (heartbeat) => this.add(heartbeat));
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.logger.log(`sampling ${this.bus.subjects.wildcard('clusterHeartbeat')} into cluster_samples`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes what is buffered. Never rejects; concurrent calls share one write loop. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private add(heartbeat: ClusterHeartbeat): void {
    this.buffer.push(heartbeat);
    this.trim();
    if (this.buffer.length >= FLUSH_SAMPLES) void this.flush();
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, FLUSH_SAMPLES);
      try {
        this.written += await this.write(batch);
      } catch (e) {
        this.buffer.unshift(...batch);
        this.trim();
        if (!this.failing) this.logger.warn(`writing cluster samples failed, will retry: ${e instanceof Error ? e.message : String(e)}`);
        this.failing = true;
        return;
      }
      if (this.failing) this.logger.log('writing cluster samples again');
      this.failing = false;
    }
  }

  /**
   * Writes `batch` and resolves to the new rows. When the database refuses the data itself, writes
   * halves until the refused samples stand alone, and refuses those. Rejects on any other failure
   * (the caller keeps the batch; what was written of it is skipped next time, the write being idempotent).
   */
  private async write(batch: ClusterHeartbeat[]): Promise<number> {
    try {
      return await writeClusterSamples(this.db, batch);
    } catch (e) {
      if (!isDataError(e)) throw e;
      const [heartbeat] = batch;
      if (batch.length === 1 && heartbeat) {
        this.refused++;
        this.bus.noteInvalid(this.bus.subject('clusterHeartbeat', { clusterId: heartbeat.clusterId }), `sample refused by the database: ${e instanceof Error ? e.message : String(e)}`);
        return 0;
      }
      const half = Math.ceil(batch.length / 2);
      return (await this.write(batch.slice(0, half))) + (await this.write(batch.slice(half)));
    }
  }

  private trim(): void {
    const excess = this.buffer.length - MAX_BUFFERED;
    if (excess <= 0) return;
    this.buffer.splice(0, excess);
    this.dropped += excess;
  }
}
