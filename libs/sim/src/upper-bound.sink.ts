import { transferMs } from '@aset/scenario';
import type { PlacementCatalog } from '@aset/scheduling';
import type { RecordSink, SimRecord } from './sim.record.js';

/**
 * The no-contention oracle: a measured query counts as a possible success when some (cluster,
 * variant) meeting its accuracy floor would answer within its deadline with empty queues, i.e.
 * `RTT + transfers (no jitter) + processing + overhead <= maxLatencyMs`, on the links as they are
 * when the query is sent and skipping clusters in an outage. No policy can beat the ratio this sink
 * reports on the same arrivals (up to jitter).
 */
export class UpperBoundSink implements RecordSink {
  /** Per arrival stream: -1 unknown, 0 impossible, 1 possible (a stream fixes source and app). */
  private feasible = new Int8Array(16).fill(-1);
  queries = 0;
  possible = 0;

  constructor(
    private readonly catalog: PlacementCatalog,
    private readonly overheadMs = 0,
  ) {}

  onRecord(r: SimRecord): void {
    if (r.warmup) return;
    this.queries++;
    if (this.catalog.scenario.hasDynamics) {
      if (this.bestLatencyAt(r.sourceIndex, r.app.id, r.app.task, r.app.slo.minAccuracy, r.createdAt) <= r.app.slo.maxLatencyMs) this.possible++;
      return;
    }
    if (r.streamIndex >= this.feasible.length) {
      const grown = new Int8Array(Math.max(r.streamIndex + 1, this.feasible.length * 2)).fill(-1);
      grown.set(this.feasible);
      this.feasible = grown;
    }
    let ok = this.feasible[r.streamIndex] as number;
    if (ok < 0) {
      ok = this.bestLatencyMs(r.sourceIndex, r.app.id, r.app.task, r.app.slo.minAccuracy) <= r.app.slo.maxLatencyMs ? 1 : 0;
      this.feasible[r.streamIndex] = ok;
    }
    if (ok === 1) this.possible++;
  }

  get ratio(): number {
    return this.queries ? this.possible / this.queries : 0;
  }

  /** As {@link bestLatencyMs}, on the links and clusters as they are `atMs` after the run start. */
  bestLatencyAt(sourceIndex: number, app: string, task: string, minAccuracy: number, atMs: number): number {
    const scenario = this.catalog.scenario;
    const spec = scenario.app(app);
    const requestBytes = spec?.payloadBytes ?? (this.catalog.zoo.task(task)?.inputShape.reduce((a, b) => a * b, 1) ?? 0) * 4;
    let best = Infinity;
    for (const { clusterIndex, hosted } of this.catalog.feasibleFor(task, minAccuracy).options) {
      if (scenario.isDown(clusterIndex, atMs)) continue;
      const link = scenario.linkAtTime(sourceIndex, clusterIndex, atMs);
      const network = link.rttMs + transferMs(link, requestBytes) + transferMs(link, spec?.replyBytes ?? 256);
      best = Math.min(best, network + hosted.processingMs * scenario.processingFactor(clusterIndex, atMs) + this.overheadMs);
    }
    return best;
  }

  /** The lowest no-contention latency of any placement meeting the accuracy floor; Infinity when none. */
  bestLatencyMs(sourceIndex: number, app: string, task: string, minAccuracy: number): number {
    const network = this.catalog.networkRow(sourceIndex, app, task);
    let best = Infinity;
    for (const { clusterIndex, hosted } of this.catalog.feasibleFor(task, minAccuracy).options) {
      best = Math.min(best, (network[clusterIndex] as number) + hosted.processingMs + this.overheadMs);
    }
    return best;
  }
}
