import { describe, expect, it } from 'vitest';
import { encodeTensor, queryIdOf, type InferenceQuery } from '@aset/contracts';
import { deriveSeed } from '@aset/determinism';
import { loadHeldOut, readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { readScenarioFile, type ApplicationSpec } from '@aset/scenario';
import { POLICY_LAB_SCENARIO } from '@aset/scenario/testing';
import { buildArrivalSchedule, InputSampler } from '@aset/workload';
import { QueryFactory } from './query.factory.js';

const zoo = readZoo(REPO_MANIFEST);
const scenario = readScenarioFile(POLICY_LAB_SCENARIO, { zoo });
const SEED = 13;
// More arrivals than a held-out pass per task, so that the walk reshuffles within the run.
const schedule = buildArrivalSchedule(scenario, { count: 2_500, seed: SEED });
const arrivals = scenario.spec.workload.arrivals;

/** The queries a generator emitting `sources` makes, in schedule order, with a fresh factory. */
function queriesOf(sources: readonly string[] | undefined): InferenceQuery[] {
  const factory = new QueryFactory(scenario, zoo, 'run-f', SEED, schedule);
  const made: InferenceQuery[] = [];
  for (let i = 0; i < schedule.count; i++) {
    if (sources && !sources.includes(factory.sourceOf(schedule.stream[i] as number))) continue;
    made.push(factory.make(i, 1000 + (schedule.offsetMs[i] as number)).query);
  }
  return made;
}

describe('QueryFactory', () => {
  it('makes the queries the generator always made: inputs walked per task in arrival order', () => {
    // The reference: each task's sampler drawn once per query of the task, in schedule order.
    const samplers = new Map<string, InputSampler>();
    const expected = Array.from({ length: schedule.count }, (_, i) => {
      const arrival = arrivals[schedule.stream[i] as number]!;
      const app = scenario.app(arrival.app) as ApplicationSpec;
      let sampler = samplers.get(app.task);
      if (!sampler) samplers.set(app.task, (sampler = new InputSampler(loadHeldOut(zoo, app.task), deriveSeed(SEED, `inputs:${app.task}`))));
      const { values } = sampler.sample(sampler.next());
      return { queryId: queryIdOf(i), source: arrival.source, app: app.id, input: encodeTensor(values, [1, ...sampler.set.sampleShape]) };
    });
    expect(queriesOf(undefined).map(({ queryId, source, app, input }) => ({ queryId, source, app, input }))).toEqual(expected);
    // Both sources share the digits task: what one emits shifts the other's walk, unless inputs follow the whole schedule.
    expect(new Set(arrivals.map((a) => (scenario.app(a.app) as ApplicationSpec).task)).size).toBe(1);
  });

  it('makes, for a part emitting some sources, exactly the whole run\'s queries of those sources', () => {
    const whole = queriesOf(undefined);
    const parts = [...queriesOf(['ap-1']), ...queriesOf(['ap-2'])];
    expect(parts).toHaveLength(whole.length);
    const byId = new Map(whole.map((q) => [q.queryId, q]));
    for (const q of parts) expect(q).toEqual(byId.get(q.queryId));
    expect(new Set(parts.map((q) => q.queryId)).size).toBe(whole.length);
    expect(queriesOf(['ap-2']).every((q) => q.source === 'ap-2')).toBe(true);
  });

  it('refuses an index outside the schedule', () => {
    const factory = new QueryFactory(scenario, zoo, 'run-f', SEED, schedule);
    expect(() => factory.make(schedule.count, 0)).toThrow(/not in the schedule/);
  });
});
