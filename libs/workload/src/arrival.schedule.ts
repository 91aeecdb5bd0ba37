import { deriveSeed, seededRandom } from '@aset/determinism';
import type { Scenario } from '@aset/scenario';
import { arrivalClock, burstMultiplier, flashMultiplier, type ArrivalClock } from './arrival.process.js';

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

/**
 * One clock per `workload.arrivals` entry, each from its own seed derived from `seed` and its
 * (index, source, app), at its process's rate times `rateScale`, the workload's `loadScale` and its
 * application's `appLoadScale`. A workload `modulation` multiplies every affected stream's rate by
 * m(t): the stream runs at its peak multiplier and arrivals are kept with probability m(t) / peak.
 * Random bursts share one on/off timeline (seeded from `seed`) across the streams they affect.
 */
export function arrivalClocks(scenario: Scenario, seed: number, rateScale = 1): ArrivalClock[] {
  if (!(rateScale > 0)) throw new RangeError(`rateScale must be > 0, got ${rateScale}`);
  const workload = scenario.spec.workload;
  const modulation = workload.modulation;
  const bursts = modulation?.kind === 'bursts' ? burstMultiplier(seededRandom(deriveSeed(seed, 'modulation:bursts')), modulation.meanCalmSec, modulation.meanBurstSec, modulation.peakMultiplier) : undefined;
  return workload.arrivals.map((a, i) => {
    const scale = rateScale * workload.loadScale * (workload.appLoadScale?.[a.app] ?? 1);
    const random = seededRandom(deriveSeed(seed, `${i}:${a.source}/${a.app}`));
    const affected = modulation && (modulation.kind === 'diurnal' || ((!modulation.sources || modulation.sources.includes(a.source)) && (!modulation.apps || modulation.apps.includes(a.app))));
    if (!modulation || !affected) return arrivalClock(a.process, random, scale, scenario.traces.get(i));
    const peak = modulation.kind === 'diurnal' ? 1 + modulation.amplitude : modulation.peakMultiplier;
    const m =
      modulation.kind === 'diurnal'
        ? (t: number) => 1 + modulation.amplitude * Math.sin((2 * Math.PI * (t / 1000 + modulation.phaseSec)) / modulation.periodSec)
        : modulation.kind === 'flash-crowd'
          ? (t: number) => flashMultiplier(t / 1000, modulation.startSec, modulation.rampSec, modulation.durationSec, modulation.peakMultiplier)
          : (bursts as (t: number) => number);
    const base = arrivalClock(a.process, random, scale * peak, scenario.traces.get(i));
    const keep = seededRandom(deriveSeed(seed, `${i}:modulation`));
    return () => {
      for (;;) {
        const t = base();
        if (t === Infinity || keep() * peak <= m(t)) return t;
      }
    };
  });
}

/**
 * Builds the first `count` arrivals of the scenario's workload, merging every stream in time order
 * (ties: lower stream index first). A finite trace that ends early simply stops contributing.
 * Adding a stream does not shift the others. `rateScale` multiplies every rate (load level).
 */
export function buildArrivalSchedule(scenario: Scenario, options: { count: number; seed: number; rateScale?: number }): ArrivalSchedule {
  const merger = new ArrivalMerger(arrivalClocks(scenario, options.seed, options.rateScale ?? 1));
  const offsetMs = new Float64Array(options.count);
  const stream = new Uint16Array(options.count);
  let n = 0;
  for (; n < options.count; n++) {
    const t = merger.nextTime();
    if (t === Infinity) break;
    offsetMs[n] = t;
    stream[n] = merger.nextStream();
    merger.advance();
  }
  return n === options.count ? { count: n, offsetMs, stream } : { count: n, offsetMs: offsetMs.slice(0, n), stream: stream.slice(0, n) };
}

/**
 * Merges arrival clocks lazily, in time order (ties: lower stream index first): a min-heap of
 * streams keyed by their next arrival. For runs too long to materialise (the simulator).
 */
export class ArrivalMerger {
  private readonly ids: Uint16Array;
  private readonly times: Float64Array;

  constructor(private readonly clocks: ArrivalClock[]) {
    if (clocks.length > 65535) throw new RangeError(`at most 65535 arrival streams, got ${clocks.length}`);
    this.ids = Uint16Array.from(clocks.keys());
    this.times = Float64Array.from(clocks, (c) => c());
    for (let i = (clocks.length - 2) >> 2; i >= 0; i--) this.siftDown(i, this.times[i] as number, this.ids[i] as number);
  }

  /** Time of the next arrival (ms from the run start); Infinity when every stream has ended. */
  nextTime(): number {
    return this.times[0] as number;
  }

  /** Stream (index into `workload.arrivals`) of the next arrival. */
  nextStream(): number {
    return this.ids[0] as number;
  }

  /** Consumes the next arrival. */
  advance(): void {
    const id = this.ids[0] as number;
    this.siftDown(0, (this.clocks[id] as ArrivalClock)(), id);
  }

  /**
   * Places the stream `id`, next arriving at `t`, into the hole at `i`, moving earlier children up.
   * The heap is 4-ary (children of i: 4i+1..4i+4): half the levels of a binary heap.
   */
  private siftDown(i: number, t: number, id: number): void {
    const times = this.times;
    const ids = this.ids;
    const n = ids.length;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // The earliest child (ties: lower stream index).
      let c = first;
      let tc = times[first] as number;
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const tk = times[k] as number;
        if (tk < tc || (tk === tc && (ids[k] as number) < (ids[c] as number))) {
          c = k;
          tc = tk;
        }
      }
      if (t < tc || (t === tc && id < (ids[c] as number))) break;
      times[i] = tc;
      ids[i] = ids[c] as number;
      i = c;
    }
    times[i] = t;
    ids[i] = id;
  }
}
