import type { Scenario } from '@aset/scenario';
import type { PlacementCatalog } from './placement.catalog.js';

/**
 * A scenario's emulated capacity, queries/s: over its clusters, slots / slot time per query of the
 * cheapest variant meeting the application's accuracy floor (profiled time x the hardware's speed
 * factor; with batching, a full batch's time over its size: `drainMs`); and the offered rate of its arrivals (their rates x loadScale), so that a rate scale of
 * `load x capacityPerSec / baseRatePerSec` offers `load` times the capacity. Defined for a scenario
 * with one application and unmodulated Poisson arrivals only (else one number would not describe
 * it); throws naming the scenario and what breaks that.
 */
export function emulatedCapacity(scenario: Scenario, catalog: PlacementCatalog): { capacityPerSec: number; baseRatePerSec: number } {
  const [app, ...others] = scenario.applications;
  if (!app || others.length > 0) throw new Error(`${scenario.origin}: capacity is defined only for a scenario with exactly one application, so that capacity is one number; it has ${scenario.applications.length}`);
  let capacityPerSec = 0;
  scenario.clusters.forEach((cluster, c) => {
    const variant = catalog.cheapestMeeting(c, app.task, app.slo.minAccuracy);
    if (!variant) return;
    if (variant.processingMs <= 0) throw new Error(`${scenario.origin}: variant ${variant.variant.id} has no latency profile, so cluster ${cluster.id} has no emulated capacity (run npm run zoo:profile)`);
    capacityPerSec += (cluster.slots * 1000) / variant.drainMs;
  });
  if (capacityPerSec === 0) throw new Error(`${scenario.origin}: no cluster serves ${app.id} at accuracy ${app.slo.minAccuracy}`);
  const workload = scenario.spec.workload;
  let baseRatePerSec = 0;
  for (const a of workload.arrivals) {
    if (a.process.kind !== 'poisson') throw new Error(`${scenario.origin}: capacity is defined only for Poisson arrivals (their rate is the load); ${a.source}/${a.app} is ${a.process.kind}`);
    baseRatePerSec += a.process.ratePerSec * workload.loadScale * (workload.appLoadScale?.[a.app] ?? 1);
  }
  if (workload.modulation) throw new Error(`${scenario.origin}: capacity is defined only for unmodulated arrivals; drop workload.modulation`);
  return { capacityPerSec, baseRatePerSec };
}
