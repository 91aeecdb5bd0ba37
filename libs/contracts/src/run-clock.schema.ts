import { z } from 'zod';
import { EpochMs, Identifier } from './identifiers.schema.js';

/**
 * A run's scenario clock, which the workload generator announces while the run goes (at its start,
 * then every second, then once when it ends): scenario time `t` ms of the run is the instant
 * `originAt + t`. Workers read it to play the scenario's `dynamics` live (link degradations on the
 * queries dispatched in a window, outages, slowdowns), as the simulator does at the same scenario
 * times. `scenario` is the scenario's name; a worker of another scenario ignores the clock.
 */
export const RunClockSchema = z.object({
  schemaVersion: z.literal(1),
  runId: Identifier,
  scenario: z.string().min(1).max(200),
  /** Scenario time 0 of the run (the instant its arrival schedule counts from). */
  originAt: EpochMs,
  /** `running` while queries may be sent or answered; `finished` once the run has ended (its dynamics end with it). */
  phase: z.enum(['running', 'finished']),
  sentAt: EpochMs,
  /**
   * Set when the run is split over several generators (each announces the same `originAt`): the
   * announcing part, of `count`. The run's dynamics end once every part has announced `finished`.
   */
  part: z.object({ id: Identifier, count: z.number().int().min(1) }).optional(),
});
export type RunClock = z.infer<typeof RunClockSchema>;
