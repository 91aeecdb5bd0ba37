import type { Scenario } from './scenario.model.js';
import type { ArrivalProcess } from './scenario.schema.js';

/**
 * Long-run mean rate of one arrival process, queries/s, before any scale: a flash crowd's base
 * rate, an MMPP's rates weighted by the mean time in each state, a trace's arrivals over its span
 * (1/s for an empty trace or one of zero span).
 */
export function meanArrivalRatePerSec(process: ArrivalProcess, trace: Float64Array | undefined): number {
  switch (process.kind) {
    case 'poisson':
      return process.ratePerSec;
    case 'diurnal':
      return process.meanRatePerSec;
    case 'flash-crowd':
      return process.baseRatePerSec;
    case 'mmpp':
      return (process.calmRatePerSec * process.meanCalmSec + process.burstRatePerSec * process.meanBurstSec) / (process.meanCalmSec + process.meanBurstSec);
    case 'trace': {
      const last = trace?.[trace.length - 1] ?? 0;
      return trace && last > 0 ? (trace.length / last) * 1000 : 1;
    }
  }
}

/**
 * The scenario's offered rate, queries/s: over `workload.arrivals`, each process's
 * {@link meanArrivalRatePerSec} times the workload's `loadScale` and its application's
 * `appLoadScale`. A workload `modulation` is not counted (its mean multiplier is not one number for
 * every kind). A rate scale of `r / offeredRatePerSec(scenario)` therefore offers about r queries/s.
 */
export function offeredRatePerSec(scenario: Scenario): number {
  const workload = scenario.spec.workload;
  return workload.arrivals.reduce((sum, a, i) => sum + meanArrivalRatePerSec(a.process, scenario.traces.get(i)) * workload.loadScale * (workload.appLoadScale?.[a.app] ?? 1), 0);
}
