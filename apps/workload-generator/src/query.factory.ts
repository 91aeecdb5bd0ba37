import { encodeTensor, queryIdOf, type InferenceQuery } from '@aset/contracts';
import { deriveSeed } from '@aset/determinism';
import { loadHeldOut, type ModelZoo } from '@aset/model-zoo';
import type { ApplicationSpec, Scenario } from '@aset/scenario';
import { InputSampler } from '@aset/workload';

/** A query to send and the label of its input. */
export interface QueryToSend {
  readonly query: InferenceQuery;
  readonly label: number;
}

/**
 * Builds a run's queries: arrival stream `s` of the scenario fixes source and application; inputs
 * come from the task's held-out set, in an order seeded by the run seed and the task.
 */
export class QueryFactory {
  private readonly streams: { source: string; app: ApplicationSpec; sampler: InputSampler }[];

  constructor(
    scenario: Scenario,
    zoo: ModelZoo,
    private readonly runId: string,
    seed: number,
  ) {
    const samplers = new Map<string, InputSampler>();
    const samplerOf = (task: string): InputSampler => {
      let sampler = samplers.get(task);
      if (!sampler) {
        sampler = new InputSampler(loadHeldOut(zoo, task), deriveSeed(seed, `inputs:${task}`));
        samplers.set(task, sampler);
      }
      return sampler;
    };
    // The scenario parser checked that every arrival names a known application.
    this.streams = scenario.spec.workload.arrivals.map((a) => {
      const app = scenario.app(a.app) as ApplicationSpec;
      return { source: a.source, app, sampler: samplerOf(app.task) };
    });
  }

  /** Number of arrival streams. */
  get streamCount(): number {
    return this.streams.length;
  }

  /** The run's `index`-th query, of arrival stream `stream`, scheduled at `createdAt`. */
  make(index: number, stream: number, createdAt: number): QueryToSend {
    const s = this.streams[stream] as (typeof this.streams)[number];
    const { values, label } = s.sampler.sample(s.sampler.next());
    return {
      query: {
        schemaVersion: 1,
        runId: this.runId,
        queryId: queryIdOf(index),
        app: s.app.id,
        source: s.source,
        task: s.app.task,
        input: encodeTensor(values, [1, ...s.sampler.set.sampleShape]),
        slo: s.app.slo,
        createdAt,
      },
      label,
    };
  }
}
