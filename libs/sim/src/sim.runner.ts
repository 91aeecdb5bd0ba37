import type { ModelZoo } from '@aset/model-zoo';
import type { Scenario } from '@aset/scenario';
import { PlacementCatalog, createPolicy, type AsetAgents } from '@aset/scheduling';
import { Simulation, type SimulationOptions } from './simulation.js';
import { FanOutSink, SummarySink, type SimSummary } from './summary.sink.js';
import { UpperBoundSink } from './upper-bound.sink.js';
import { leastDelayMs } from './messaging.delay.js';
import type { RecordSink } from './sim.record.js';

export interface PolicyRun {
  policy: string;
  summary: SimSummary;
  /** The no-contention oracle's success ratio on the same arrivals. */
  upperBound: number;
  simulatedQueries: number;
  wallMs: number;
}

export type RunSettings = Omit<SimulationOptions, 'scenario' | 'zoo' | 'policy' | 'sink'>;

/**
 * Simulates one registered policy over a scenario and summarises it, with the oracle's bound. ASET
 * policies need `agents`. `records` also receives every query (e.g. a per-query CSV); it must copy
 * what it keeps (RecordSink). The run and the oracle share one catalog (`settings.catalog`, else a new one).
 */
export function simulatePolicy(scenario: Scenario, zoo: ModelZoo, policy: string, settings: RunSettings, agents?: AsetAgents, records?: RecordSink): PolicyRun {
  const summary = new SummarySink(settings.queries);
  const overhead = settings.overheadMs ?? 0;
  // The least messaging time keeps the oracle an upper bound when messaging time is a distribution.
  const catalog = settings.catalog ?? new PlacementCatalog(scenario, zoo);
  const upper = new UpperBoundSink(catalog, typeof overhead === 'object' ? leastDelayMs(overhead.request) + leastDelayMs(overhead.reply) : overhead);
  const sim = new Simulation({ scenario, zoo, ...settings, catalog, policy: (ctx) => createPolicy(policy, agents ? { ...ctx, agents } : ctx), sink: new FanOutSink(records ? [summary, upper, records] : [summary, upper]) });
  const t0 = performance.now();
  const simulated = sim.run();
  return { policy, summary: summary.summary(), upperBound: upper.ratio, simulatedQueries: simulated, wallMs: performance.now() - t0 };
}
