import { describe, expect, it } from 'vitest';
import { learningCurveBand } from './learning-curve.band.js';

const run = (seed: number, evals: Record<number, number>, baselines: Record<string, number> = { closest: 0.9, cloud: 0.4 }) => ({
  seed,
  baselines,
  curve: [1, 2, 3, 4].map((episode) => ({ episode, trainSuccess: 0.5, ...(evals[episode] !== undefined ? { evalSuccess: evals[episode] } : {}) })),
});

describe('learningCurveBand', () => {
  it('gives mean, lowest and highest evaluation over the seeds at every episode all of them evaluated', () => {
    const band = learningCurveBand([run(1, { 2: 0.8, 4: 0.9 }), run(2, { 2: 0.6, 3: 0.7, 4: 0.95 }), run(3, { 2: 0.7, 4: 0.85 }, { closest: 0.88, 'least-loaded': 0.92 })]);
    expect(band.seeds).toEqual([1, 2, 3]);
    expect(band.points.map((p) => p.episode)).toEqual([2, 4]);
    expect(band.points[0]).toMatchObject({ min: 0.6, max: 0.8 });
    expect(band.points[0]!.mean).toBeCloseTo(0.7, 12);
    expect(band.points[1]!.mean).toBeCloseTo(0.9, 12);
    // 0.7 ± t(0.975, 2) · 0.1 / √3 = 0.7 ± 4.3027 · 0.057735
    expect(band.points[0]!.ci95[0]).toBeCloseTo(0.7 - 0.248414, 5);
    expect(band.points[0]!.ci95[1]).toBeCloseTo(0.7 + 0.248414, 5);
    expect(band.runs).toEqual([
      { seed: 1, bestEval: 0.9, bestEpisode: 4, bestStatic: { policy: 'closest', success: 0.9 } },
      { seed: 2, bestEval: 0.95, bestEpisode: 4, bestStatic: { policy: 'closest', success: 0.9 } },
      { seed: 3, bestEval: 0.85, bestEpisode: 4, bestStatic: { policy: 'least-loaded', success: 0.92 } },
    ]);
  });

  it('refuses runs that share no evaluated episode, naming their seeds', () => {
    expect(() => learningCurveBand([run(1, { 1: 0.5 }), run(7, { 2: 0.5 })])).toThrow(/seeds 1, 7 share no evaluated episode/);
    expect(() => learningCurveBand([])).toThrow(/no training run/);
  });
});
