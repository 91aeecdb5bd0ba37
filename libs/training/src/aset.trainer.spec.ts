import { describe, expect, it } from 'vitest';
import { asetAgentFromCheckpoint } from '@aset/scheduling';
import { repoPolicyContext } from '@aset/scheduling/testing';
import { trainAset, type TrainConfig } from './aset.trainer.js';

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
  it('reproduces its checkpoint byte for byte from the seed, for both modes', () => {
    for (const mode of ['aset', 'aset-direct'] as const) {
      const a = trainAset(small({ mode, stepMs: 250 }));
      const b = trainAset(small({ mode, stepMs: 250 }));
      expect(b.checkpoint, mode).toBe(a.checkpoint);
      expect(b.curve).toEqual(a.curve);
      expect(trainAset(small({ mode, stepMs: 250, seed: 6 })).checkpoint, mode).not.toBe(a.checkpoint);
    }
  });

  it('keeps the best evaluation, reports every static baseline, and writes a checkpoint the scheduler loads', () => {
    const result = trainAset(small({}));
    const evals = result.curve.flatMap((p) => (p.evalSuccess === undefined ? [] : [p.evalSuccess]));
    expect(evals).toHaveLength(3);
    expect(result.best.evalSuccess).toBe(Math.max(...evals));
    expect(result.metadata).toMatchObject({ mode: 'aset-direct', episode: result.best.episode, evalSuccess: result.best.evalSuccess, seed: 5 });
    expect(Object.keys(result.baselines).sort()).toEqual(['closest', 'cloud', 'latency-aware', 'least-loaded', 'random', 'round-robin']);
    const agents = asetAgentFromCheckpoint(result.checkpoint, 'trained.json', ctx.scenario, ctx.catalog);
    expect(agents.asetDirect).toBeDefined();
  });

  it('records SLO variation in the metadata only when it was used', () => {
    expect(trainAset(small({})).metadata).not.toHaveProperty('sloVariation');
    const varied = trainAset(small({ space: { durationSec: 2, sloVariation: 0.5 } }));
    expect(varied.metadata).toMatchObject({ sloVariation: 0.5 });
  });
});
