import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MessageBus } from '@aset/messaging';
import { DURATION_BUCKETS_SECONDS, ServiceMetrics, seconds } from '@aset/service-kit';

/** Buckets of the records per committed batch (group commit grows batches with the backlog). */
const BATCH_BUCKETS = [1, 10, 50, 100, 500, 1000, 2000, 5000, 10000];

/**
 * The metrics store's Prometheus metrics: what the ingestor committed, refused and handed back, how
 * long its writes take, and the durable consumer's backlog (read from JetStream at scrape time).
 */
@Injectable()
export class IngestionMetrics {
  private readonly records: Counter<'kind' | 'outcome'>;
  private readonly queryRows: Counter;
  private readonly failedWrites: Counter;
  private readonly writeTime: Histogram;
  private readonly batchSize: Histogram;

  constructor(@Inject(ServiceMetrics) metrics: ServiceMetrics, @Inject(MessageBus) bus: MessageBus) {
    const registers = [metrics.registry];
    this.records = new Counter({
      name: 'aset_store_records_total',
      help: 'Records by kind (query, run, decision; "unknown" when refused before decoding) and outcome: committed (acknowledged after COMMIT) or refused (invalid, terminated)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.queryRows = new Counter({ name: 'aset_store_query_rows_total', help: 'New query rows committed (redeliveries excluded)', registers });
    this.failedWrites = new Counter({ name: 'aset_store_failed_writes_total', help: 'Batch writes that failed and were handed back to JetStream for redelivery', registers });
    this.writeTime = new Histogram({ name: 'aset_store_batch_write_seconds', help: 'Time of one committed batch transaction, from BEGIN to COMMIT, seconds', buckets: DURATION_BUCKETS_SECONDS, registers });
    this.batchSize = new Histogram({ name: 'aset_store_batch_records', help: 'Records per committed batch', buckets: BATCH_BUCKETS, registers });
    new Gauge({
      name: 'aset_store_consumer_backlog',
      help: "The durable consumer's messages not yet delivered (pending) and delivered but not yet acknowledged (ack_pending)",
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        try {
          const state = await bus.consumerState('metricsStore');
          this.set({ state: 'pending' }, state.pending);
          this.set({ state: 'ack_pending' }, state.ackPending);
        } catch {
          // No stream or consumer yet, or NATS unreachable (/health says so): no sample.
        }
      },
    });
  }

  /** One batch committed: its records by kind, the new query rows, and the transaction time. */
  committed(counts: { query: number; run: number; decision: number }, newQueryRows: number, writeMs: number): void {
    for (const kind of ['query', 'run', 'decision'] as const) if (counts[kind] > 0) this.records.inc({ kind, outcome: 'committed' }, counts[kind]);
    this.queryRows.inc(newQueryRows);
    this.writeTime.observe(seconds(writeMs));
    this.batchSize.observe(counts.query + counts.run + counts.decision);
  }

  refused(kind: 'query' | 'run' | 'decision' | 'unknown'): void {
    this.records.inc({ kind, outcome: 'refused' });
  }

  failedWrite(): void {
    this.failedWrites.inc();
  }
}
