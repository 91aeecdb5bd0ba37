import { percentilesInPlace } from '@aset/workload';
import type { RecordSink, SimRecord } from './sim.record.js';

/** Figures of one run over its measured (non-warm-up) queries, in the shape the reports use. */
export interface SimSummary {
  queries: number;
  sloMet: number;
  successRatio: number;
  completed: number;
  drops: number;
  timedOut: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Aggregates without keeping records: counts, plus completed latencies for exact percentiles. */
export class SummarySink implements RecordSink {
  private latencies: Float64Array;
  private n = 0;
  queries = 0;
  sloMet = 0;
  completed = 0;
  drops = 0;
  timedOut = 0;

  constructor(expected = 1024) {
    this.latencies = new Float64Array(Math.max(16, expected));
  }

  onRecord(r: SimRecord): void {
    if (r.warmup) return;
    this.queries++;
    if (r.sloMet) this.sloMet++;
    if (r.status === 'completed') {
      this.completed++;
      if (this.n === this.latencies.length) {
        const grown = new Float64Array(this.n * 2);
        grown.set(this.latencies);
        this.latencies = grown;
      }
      this.latencies[this.n++] = r.latencyMs;
    } else if (r.status === 'dropped') this.drops++;
    else if (r.status === 'timed_out') this.timedOut++;
  }

  summary(): SimSummary {
    // Selection, not a sort: at millions of queries a sort would be a good part of the run.
    const [p50, p95, p99] = this.n ? percentilesInPlace(this.latencies.subarray(0, this.n), [0.5, 0.95, 0.99]) : [null, null, null];
    return {
      queries: this.queries,
      sloMet: this.sloMet,
      successRatio: this.queries ? this.sloMet / this.queries : 0,
      completed: this.completed,
      drops: this.drops,
      timedOut: this.timedOut,
      p50Ms: p50 ?? null,
      p95Ms: p95 ?? null,
      p99Ms: p99 ?? null,
    };
  }
}

/** Sends every record to several sinks. */
export class FanOutSink implements RecordSink {
  constructor(private readonly sinks: RecordSink[]) {}

  onRecord(r: SimRecord): void {
    for (const s of this.sinks) s.onRecord(r);
  }
}
