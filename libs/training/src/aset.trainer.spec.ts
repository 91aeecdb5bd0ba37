import { describe, expect, it } from 'vitest';
import { asetAgentFromCheckpoint, candidateStateSize } from '@aset/scheduling';
import { repoPolicyContext } from '@aset/scheduling/testing';
import { trainAset, type TrainConfig } from './aset.trainer.js';
import { collectEpisode } from './experience.collector.js';

const ctx = repoPolicyContext();
const small = (overrides: Partial<TrainConfig>): TrainConfig => ({
  mode: 'aset-direct',
  scenario: ctx.scenario,
  zoo: ctx.zoo,
  seed: 5,
  episodes: 3,
  evalEvery: 1,
  evalEpisodes: 1,
  space: { durationSec: 2 },
  ...overrides,
});

describe('trainAset', () => {
  it('reproduces its checkpoint byte for byte from the seed, for both modes', async () => {
    for (const mode of ['aset', 'aset-direct'] as const) {
      const a = await trainAset(small({ mode, stepMs: 250 }));
      const b = await trainAset(small({ mode, stepMs: 250 }));
      expect(b.checkpoint, mode).toBe(a.checkpoint);
      expect(b.curve).toEqual(a.curve);
      expect((await trainAset(small({ mode, stepMs: 250, seed: 6 }))).checkpoint, mode).not.toBe(a.checkpoint);
    }
  });

  it('keeps the best evaluation, reports every static baseline, and writes a checkpoint the scheduler loads', async () => {
    const result = await trainAset(small({}));
    const evals = result.curve.flatMap((p) => (p.evalSuccess === undefined ? [] : [p.evalSuccess]));
    expect(evals).toHaveLength(3);
    expect(result.best.evalSuccess).toBe(Math.max(...evals));
    expect(result.metadata).toMatchObject({ mode: 'aset-direct', episode: result.best.episode, evalSuccess: result.best.evalSuccess, seed: 5 });
    expect(Object.keys(result.baselines).sort()).toEqual(['closest', 'cloud', 'latency-aware', 'least-loaded', 'random', 'round-robin']);
    const agents = asetAgentFromCheckpoint(result.checkpoint, 'trained.json', ctx.scenario, ctx.catalog);
    expect(agents.asetDirect).toBeDefined();
  });

  it('records episode variations in the metadata only when they were used', async () => {
    expect((await trainAset(small({}))).metadata).not.toHaveProperty('sloVariation');
    const varied = await trainAset(small({ space: { durationSec: 2, sloVariation: 0.5 } }));
    expect(varied.metadata).toMatchObject({ sloVariation: 0.5 });
    const wider = await trainAset(small({ space: { durationSec: 2, hardwareVariation: 0.3, appLoadVariation: 0.2 } }));
    expect(wider.metadata).toMatchObject({ hardwareVariation: 0.3, appLoadVariation: 0.2 });
    expect(wider.metadata).not.toHaveProperty('sloVariation');
  });

  it('with actors: learns from rounds of episodes, reproducibly, whatever runs them', async () => {
    for (const mode of ['aset', 'aset-direct'] as const) {
      const config = small({ mode, stepMs: 250, episodes: 4, evalEvery: 2, actors: 2 });
      const a = await trainAset(config);
      // A collector that runs each round's episodes last first still hands them back in order.
      const reversed = await trainAset({
        ...config,
        collector: (setup) => ({
          collect: (requests) => Promise.resolve([...requests].reverse().map((r) => collectEpisode(setup, ctx.scenario, ctx.zoo, r)).reverse()),
          close: () => Promise.resolve(),
        }),
      });
      expect(reversed.checkpoint, mode).toBe(a.checkpoint);
      expect(a.curve.map((p) => p.episode)).toEqual([1, 2, 3, 4]);
      expect(a.curve.filter((p) => p.evalSuccess !== undefined).map((p) => p.episode)).toEqual([2, 4]);
      expect(a.metadata).toMatchObject({ actors: 2 });
      // Rounds are not online learning: another actor count trains another agent.
      expect((await trainAset(small({ mode, stepMs: 250, episodes: 4, evalEvery: 2 }))).checkpoint).not.toBe(a.checkpoint);
    }
  });

  it('with the headroom view and the discounted objective: records both and writes a checkpoint the scheduler loads', async () => {
    const result = await trainAset(small({ headroom: true, objective: 'discounted' }));
    expect(result.metadata).toMatchObject({ headroom: true, objective: 'discounted', stateSize: candidateStateSize(8, true) });
    const agents = asetAgentFromCheckpoint(result.checkpoint, 'trained.json', ctx.scenario, ctx.catalog);
    expect(agents.asetDirect?.headroom).toBe(true);
  });
});
