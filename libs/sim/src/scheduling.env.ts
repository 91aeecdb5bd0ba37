import type { Observation, Placement, QueryView } from '@aset/scheduling';
import { Simulation, type SimulationOptions } from './simulation.js';
import type { RecordSink, SimRecord } from './sim.record.js';

/** What the agent sees at each step. Objects are reused by the simulator: copy what you keep. */
export interface EnvState {
  query: QueryView;
  observation: Observation;
}

export interface StepResult {
  /** The next query to decide, or null when the episode is over. */
  state: EnvState | null;
  /** Fraction of the queries that ended since the previous step and met their SLO (0 when none ended). */
  reward: number;
  done: boolean;
  info: { ended: number; sloMet: number; simTimeMs: number };
}

/** Counts terminal records between steps, forwarding them to the caller's sink. */
class StepCounter implements RecordSink {
  ended = 0;
  sloMet = 0;
  constructor(private readonly next?: RecordSink) {}
  onRecord(r: SimRecord): void {
    this.ended++;
    if (r.sloMet) this.sloMet++;
    this.next?.onRecord(r);
  }
}

/**
 * Gym-like environment over the simulator: one step per query decision.
 * `reset()` starts a new episode (a new Simulation from `options`, `seed` overridden per episode)
 * and returns the first query; `step(action)` applies the placement and runs until the next query.
 */
export class SchedulingEnv {
  private sim?: Simulation;
  private counter?: StepCounter;

  constructor(private readonly options: Omit<SimulationOptions, 'sink'> & { sink?: RecordSink }) {}

  reset(seed = this.options.seed): EnvState | null {
    this.counter = new StepCounter(this.options.sink);
    this.sim = new Simulation({ ...this.options, seed, sink: this.counter });
    return this.sim.nextDecision() ? { query: this.sim.pendingQuery, observation: this.sim.currentObservation } : null;
  }

  step(action: Placement): StepResult {
    const sim = this.sim;
    const counter = this.counter;
    if (!sim || !counter) throw new Error('step before reset');
    sim.apply(action);
    counter.ended = 0;
    counter.sloMet = 0;
    const more = sim.nextDecision();
    const info = { ended: counter.ended, sloMet: counter.sloMet, simTimeMs: sim.clock };
    return {
      state: more ? { query: sim.pendingQuery, observation: sim.currentObservation } : null,
      reward: info.ended ? info.sloMet / info.ended : 0,
      done: !more,
      info,
    };
  }

  /** The running simulation (its catalog and scenario index the actions). */
  get simulation(): Simulation {
    if (!this.sim) throw new Error('no episode: call reset first');
    return this.sim;
  }
}

/**
 * Park-like use: the system calls the agent whenever a query needs a decision (the agent is a
 * policy). Runs the episode to the end and returns the number of queries.
 */
export function runWithAgent(options: Omit<SimulationOptions, 'policy'>, agent: (query: QueryView, observation: Observation) => Placement): number {
  return new Simulation({ ...options, policy: () => ({ name: 'agent', decide: agent }) }).run();
}
