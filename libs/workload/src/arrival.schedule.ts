import { deriveSeed, exponential, seededRandom, type Random } from '@aset/determinism';
import type { ArrivalProcess, Scenario } from '@aset/scenario';

/**
 * An open-loop arrival schedule: `count` arrivals in time order. Arrival i happens `offsetMs[i]`
 * after the run starts and belongs to `scenario.spec.workload.arrivals[stream[i]]`.
 * Struct-of-arrays so that the simulator can hold millions of arrivals cheaply.
 */
export interface ArrivalSchedule {
  readonly count: number;
  readonly offsetMs: Float64Array;
  readonly stream: Uint16Array;
}

/** Draws successive inter-arrival gaps of one process. */
type GapSampler = () => number;

function gapSampler(process: ArrivalProcess, random: Random): GapSampler {
  switch (process.kind) {
    case 'poisson': {
      const mean = 1000 / process.ratePerSec;
      return () => exponential(random, mean);
    }
  }
}

/**
 * Builds the first `count` arrivals of the scenario's workload, merging every (source, app) stream.
 * Each stream draws from its own seed derived from `seed` and its (source, app), so adding a stream
 * does not shift the others. `rateScale` multiplies every rate (load level).
 */
export function buildArrivalSchedule(scenario: Scenario, options: { count: number; seed: number; rateScale?: number }): ArrivalSchedule {
  const { count, seed } = options;
  const scale = options.rateScale ?? 1;
  if (!(scale > 0)) throw new RangeError(`rateScale must be > 0, got ${scale}`);
  const arrivals = scenario.spec.workload.arrivals;
  const samplers = arrivals.map((a, i) => {
    const sample = gapSampler(a.process, seededRandom(deriveSeed(seed, `${i}:${a.source}/${a.app}`)));
    return () => sample() / scale;
  });
  // k-way merge of the streams' next arrival times (few streams: linear scan beats a heap).
  const next = samplers.map((s) => s());
  const offsetMs = new Float64Array(count);
  const stream = new Uint16Array(count);
  for (let n = 0; n < count; n++) {
    let best = 0;
    for (let i = 1; i < next.length; i++) if ((next[i] as number) < (next[best] as number)) best = i;
    offsetMs[n] = next[best] as number;
    stream[n] = best;
    next[best] = (next[best] as number) + (samplers[best] as GapSampler)();
  }
  return { count, offsetMs, stream };
}
