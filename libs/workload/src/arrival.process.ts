import { exponential, type Random } from '@aset/determinism';
import type { ArrivalProcess } from '@aset/scenario';

/** Successive arrival times (ms from the run start, non-decreasing) of one stream. Infinite. */
export type ArrivalClock = () => number;

const MS = 1000;

/**
 * Builds the arrival clock of one process. `rateScale` multiplies every rate (for traces, it
 * compresses time). Non-stationary processes use thinning (Lewis and Shedler, 1979) against
 * their peak rate, so their counts per interval are exactly Poisson with the instantaneous rate.
 */
export function arrivalClock(process: ArrivalProcess, random: Random, rateScale: number, trace?: Float64Array): ArrivalClock {
  switch (process.kind) {
    case 'poisson': {
      const mean = MS / (process.ratePerSec * rateScale);
      // State in a typed array: a closure-captured number would allocate a heap number per arrival.
      const t = new Float64Array(1);
      return () => (t[0] = (t[0] as number) + exponential(random, mean));
    }
    case 'diurnal': {
      const { amplitude, periodSec, phaseSec } = process;
      const mean = process.meanRatePerSec * rateScale;
      return thinned(random, mean * (1 + amplitude), (t) => mean * (1 + amplitude * Math.sin((2 * Math.PI * (t / MS + phaseSec)) / periodSec)));
    }
    case 'flash-crowd': {
      const base = process.baseRatePerSec * rateScale;
      const { startSec, rampSec, durationSec, peakMultiplier } = process;
      return thinned(random, base * peakMultiplier, (t) => base * flashMultiplier(t / MS, startSec, rampSec, durationSec, peakMultiplier));
    }
    case 'mmpp': {
      const rates = [process.calmRatePerSec * rateScale, process.burstRatePerSec * rateScale];
      const means = [process.meanCalmSec * MS, process.meanBurstSec * MS];
      let state = 0;
      let t = 0;
      let switchAt = exponential(random, means[0] as number);
      return () => {
        for (;;) {
          const rate = rates[state] as number;
          const next = rate > 0 ? t + exponential(random, MS / rate) : Infinity;
          if (next <= switchAt) return (t = next);
          t = switchAt;
          state = 1 - state;
          switchAt = t + exponential(random, means[state] as number);
        }
      };
    }
    case 'trace': {
      if (!trace || trace.length === 0) throw new Error('trace arrival process without trace data: parse the scenario with readScenarioFile');
      const offsets = trace;
      const last = offsets[offsets.length - 1] as number;
      const period = last + (offsets.length > 1 ? (last - (offsets[0] as number)) / (offsets.length - 1) : 1);
      let i = 0;
      let lap = 0;
      return () => {
        if (i === offsets.length) {
          if (!process.loop) return Infinity;
          i = 0;
          lap++;
        }
        return ((offsets[i++] as number) + lap * period) / rateScale;
      };
    }
  }
}

/** The flash-crowd multiplier at `t` seconds: 1, a linear ramp up, the peak, a linear ramp down, 1. */
export function flashMultiplier(t: number, start: number, ramp: number, duration: number, peak: number): number {
  if (t < start || t > start + 2 * ramp + duration) return 1;
  if (t < start + ramp) return 1 + ((peak - 1) * (t - start)) / ramp;
  if (t <= start + ramp + duration) return peak;
  return 1 + ((peak - 1) * (start + 2 * ramp + duration - t)) / ramp;
}

/**
 * A shared on/off burst timeline: calm (multiplier 1) from time 0 for an exponential time of mean
 * `meanCalmSec`, then a burst (`peak`) of mean `meanBurstSec`, and so on, drawn from `random`. The
 * returned function gives the multiplier at `tMs` (any order of calls; the timeline grows as needed).
 */
export function burstMultiplier(random: Random, meanCalmSec: number, meanBurstSec: number, peak: number): (tMs: number) => number {
  // switches[k]: when state k ends (state 0 calm, 1 burst, 2 calm, ...).
  const switches: number[] = [];
  let end = 0;
  return (tMs) => {
    while (end <= tMs) {
      end += exponential(random, (switches.length % 2 === 0 ? meanCalmSec : meanBurstSec) * MS);
      switches.push(end);
    }
    // The first state ending after tMs.
    let lo = 0;
    let hi = switches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((switches[mid] as number) > tMs) hi = mid;
      else lo = mid + 1;
    }
    return lo % 2 === 0 ? 1 : peak;
  };
}

function thinned(random: Random, peakPerSec: number, ratePerSec: (tMs: number) => number): ArrivalClock {
  const mean = MS / peakPerSec;
  const t = new Float64Array(1);
  return () => {
    for (;;) {
      const next = (t[0] as number) + exponential(random, mean);
      t[0] = next;
      if (random() * peakPerSec <= ratePerSec(next)) return next;
    }
  };
}
