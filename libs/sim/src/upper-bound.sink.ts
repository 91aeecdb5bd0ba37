import type { PlacementCatalog } from '@aset/scheduling';
import type { RecordSink, SimRecord } from './sim.record.js';

/**
 * The no-contention oracle: a measured query counts as a possible success when some (cluster,
 * variant) meeting its accuracy floor would answer within its deadline with empty queues, i.e.
 * `RTT + transfers (no jitter) + processing + overhead <= maxLatencyMs`. No policy can beat the
 * ratio this sink reports on the same arrivals.
 */
export class UpperBoundSink implements RecordSink {
  private readonly feasible = new Map<string, boolean>();
  queries = 0;
  possible = 0;

  constructor(
    private readonly catalog: PlacementCatalog,
    private readonly overheadMs = 0,
  ) {}

  onRecord(r: SimRecord): void {
    if (r.warmup) return;
    this.queries++;
    const key = `${r.sourceIndex}\u0000${r.app.id}`;
    let ok = this.feasible.get(key);
    if (ok === undefined) {
      ok = this.bestLatencyMs(r.sourceIndex, r.app.id, r.app.task, r.app.slo.minAccuracy) <= r.app.slo.maxLatencyMs;
      this.feasible.set(key, ok);
    }
    if (ok) this.possible++;
  }

  get ratio(): number {
    return this.queries ? this.possible / this.queries : 0;
  }

  /** The lowest no-contention latency of any placement meeting the accuracy floor; Infinity when none. */
  bestLatencyMs(sourceIndex: number, app: string, task: string, minAccuracy: number): number {
    let best = Infinity;
    for (const { clusterIndex, hosted } of this.catalog.feasibleFor(task, minAccuracy).options) {
      best = Math.min(best, this.catalog.networkMs(sourceIndex, clusterIndex, app, task) + hosted.processingMs + this.overheadMs);
    }
    return best;
  }
}
