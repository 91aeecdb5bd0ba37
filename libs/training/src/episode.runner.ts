import type { ModelZoo } from '@aset/model-zoo';
import type { PolicyContext, SchedulingPolicy } from '@aset/scheduling';
import { Simulation, SummarySink } from '@aset/sim';
import type { Episode } from './episode.randomizer.js';

/** Simulates one episode with a policy built by `make`, then calls `after`, and returns the measured success ratio. */
export function runEpisode(
  episode: Episode,
  zoo: ModelZoo,
  make: (ctx: PolicyContext) => SchedulingPolicy,
  overheadMs: { request: number; reply: number } | undefined,
  after?: (sim: Simulation) => void,
): number {
  const sink = new SummarySink();
  const sim = new Simulation({
    ...(overheadMs ? { overheadMs } : {}),
    scenario: episode.scenario,
    zoo,
    seed: episode.seed,
    queries: Number.MAX_SAFE_INTEGER,
    durationMs: episode.durationMs,
    rateScale: episode.rateScale,
    policy: make,
    sink,
  });
  sim.run();
  after?.(sim);
  return sink.summary().successRatio;
}

/** Settles a learning policy's pending transitions at the episode's end (SchedulingPolicy.endEpisode). */
export function settleEpisode(sim: Simulation): void {
  sim.policy.endEpisode?.(sim.currentObservation);
}
