import { encodeTensor, queryIdOf, type InferenceQuery } from '@aset/contracts';
import { deriveSeed } from '@aset/determinism';
import { loadHeldOut, type ModelZoo } from '@aset/model-zoo';
import type { ApplicationSpec, Scenario } from '@aset/scenario';
import { InputSampler, type ArrivalSchedule } from '@aset/workload';

/** A query to send and the label of its input. */
export interface QueryToSend {
  readonly query: InferenceQuery;
  readonly label: number;
}

/**
 * Builds a run's queries from its arrival schedule: arrival `i`'s stream fixes source and
 * application; inputs come from the task's held-out set, walked in an order seeded by the run seed
 * and the task, the `k`-th arrival of a task (over the whole schedule) taking the walk's `k`-th
 * sample. So query `i` is the same whichever arrivals are made: a generator that emits some sources
 * only (one part of a split run) sends exactly the queries the whole run sends for them.
 */
export class QueryFactory {
  private readonly streams: { source: string; app: ApplicationSpec; sampler: InputSampler }[];
  /** Per arrival: its rank among the schedule's arrivals of the same task, which picks its input. */
  private readonly inputDraw: Uint32Array;

  constructor(
    scenario: Scenario,
    zoo: ModelZoo,
    private readonly runId: string,
    seed: number,
    private readonly schedule: ArrivalSchedule,
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
    const drawn = new Map<InputSampler, number>();
    this.inputDraw = new Uint32Array(schedule.count);
    for (let i = 0; i < schedule.count; i++) {
      const sampler = this.stream(i).sampler;
      const k = drawn.get(sampler) ?? 0;
      this.inputDraw[i] = k;
      drawn.set(sampler, k + 1);
    }
  }

  /** Number of arrival streams. */
  get streamCount(): number {
    return this.streams.length;
  }

  /** The source of arrival stream `stream`. */
  sourceOf(stream: number): string {
    return (this.streams[stream] as (typeof this.streams)[number]).source;
  }

  /** The run's `index`-th query (arrival `index` of the schedule), scheduled at `createdAt`. */
  make(index: number, createdAt: number): QueryToSend {
    const s = this.stream(index);
    const { values, label } = s.sampler.sample(s.sampler.at(this.inputDraw[index] as number));
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

  private stream(index: number): (typeof this.streams)[number] {
    if (!(index >= 0 && index < this.schedule.count)) throw new RangeError(`arrival ${index} is not in the schedule (${this.schedule.count} arrivals)`);
    return this.streams[this.schedule.stream[index] as number] as (typeof this.streams)[number];
  }
}
