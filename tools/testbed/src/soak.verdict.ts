/** One reading of a process's resident memory during a soak. */
export interface RssSample {
  service: string;
  /** Seconds since the run's start. */
  atSec: number;
  bytes: number;
  /** A Node service's V8 heap size (its /metrics' `nodejs_heap_size_total_bytes`), part of `bytes`. */
  heapBytes?: number;
}

/** A process's memory over a soak: its mean over the first and the last third after warm-up, and their ratio. */
export interface RssGrowth {
  service: string;
  warmMb: number;
  endMb: number;
  /** endMb / warmMb - 1. */
  growth: number;
  /** For a Node service, its V8 heap's size over the same windows (means too): how much of the growth the JavaScript heap's capacity accounts for. */
  heap?: { warmMb: number; endMb: number };
}

/** What a soak is judged on. */
export interface SoakVerdict {
  /** ASET's services: each judged on {@link MAX_RSS_GROWTH}. */
  rss: RssGrowth[];
  /** Infrastructure servers the soak also sampled (the NATS server), reported, not judged by the growth rule: see docs/reliability.md. */
  infrastructure: RssGrowth[];
  /** Every service grew less than {@link MAX_RSS_GROWTH}, the backlog drained, nothing was lost. */
  pass: boolean;
  failures: string[];
}

/** The most a service's resident memory may grow between warm-up and the end of a soak: 10%. */
export const MAX_RSS_GROWTH = 0.1;

/**
 * Judges a soak. A process's memory "after warm-up" is its mean over the first third of the time
 * after `warmupSec`, and "at the end" its mean over the last third. Windows that long span several
 * garbage-collection cycles (a Node service's resident memory saw-tooths by some 15% over 2-4
 * minutes), so both means measure the level the process holds, where a one-minute window would
 * catch one phase of the cycle or another. A service restarted during the soak (it has a gap) is
 * judged on the samples it has. `infrastructure` names the processes that are reported but not held
 * to the growth rule.
 */
export function judgeSoak(input: { samples: readonly RssSample[]; warmupSec: number; endSec: number; lost: number; backlogAfter: number; infrastructure?: ReadonlySet<string> }): SoakVerdict {
  const byService = new Map<string, RssSample[]>();
  for (const s of input.samples) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  const third = (input.endSec - input.warmupSec) / 3;
  const failures: string[] = [];
  const rss: RssGrowth[] = [];
  const infrastructure: RssGrowth[] = [];
  for (const [service, samples] of byService) {
    const warmSamples = samples.filter((s) => s.atSec >= input.warmupSec && s.atSec < input.warmupSec + third);
    const endSamples = samples.filter((s) => s.atSec >= input.endSec - third);
    const warm = mean(warmSamples.map((s) => s.bytes));
    const end = mean(endSamples.map((s) => s.bytes));
    const judged = !input.infrastructure?.has(service);
    if (warm === undefined || end === undefined) {
      if (judged) failures.push(`${service}: no memory samples ${warm === undefined ? 'after warm-up' : 'at the end'}`);
      continue;
    }
    const growth = end / warm - 1;
    const warmHeap = mean(warmSamples.flatMap((s) => (s.heapBytes === undefined ? [] : [s.heapBytes])));
    const endHeap = mean(endSamples.flatMap((s) => (s.heapBytes === undefined ? [] : [s.heapBytes])));
    const heap = warmHeap === undefined || endHeap === undefined ? {} : { heap: { warmMb: round(warmHeap / 2 ** 20), endMb: round(endHeap / 2 ** 20) } };
    const entry = { service, warmMb: round(warm / 2 ** 20), endMb: round(end / 2 ** 20), growth: Math.round(growth * 1000) / 1000, ...heap };
    (judged ? rss : infrastructure).push(entry);
    if (judged && growth >= MAX_RSS_GROWTH) failures.push(`${service}: resident memory grew ${(growth * 100).toFixed(1)}% (${entry.warmMb} -> ${entry.endMb} MB), the limit is ${MAX_RSS_GROWTH * 100}%`);
  }
  if (input.lost > 0) failures.push(`${input.lost} queries have no record`);
  if (input.backlogAfter > 0) failures.push(`the metrics store's consumer still has ${input.backlogAfter} records pending`);
  return { rss, infrastructure, pass: failures.length === 0, failures };
}

function mean(values: number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
