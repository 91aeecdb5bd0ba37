import { meanWithInterval } from './seed.statistics.js';

/** One training run's learning curve, as `npm run train` writes it next to the checkpoint (`<checkpoint>.curve.json`). */
export interface TrainingCurve {
  seed: number;
  curve: { episode: number; trainSuccess: number; evalSuccess?: number }[];
  /** Each static policy's success ratio on the same evaluation episodes. */
  baselines: Record<string, number>;
}

/** The greedy evaluations of several training seeds at one episode. */
export interface CurveBandPoint {
  episode: number;
  mean: number;
  min: number;
  max: number;
  /** Student's t 95% interval of the mean over the runs (both equal the mean for a single run). */
  ci95: readonly [number, number];
}

export interface CurveBand {
  seeds: number[];
  /** Episodes at which every run was evaluated, in order. */
  points: CurveBandPoint[];
  /** Per run: the best evaluation (the checkpoint kept) and the best static policy on its evaluation episodes. */
  runs: { seed: number; bestEval: number; bestEpisode: number; bestStatic: { policy: string; success: number } }[];
}

/**
 * The learning curves of runs that differ only in their training seed, as a band: at each episode
 * that every run evaluated, the mean, lowest and highest greedy evaluation over the runs and the
 * mean's 95% interval. Throws
 * when the runs share no evaluated episode (different commands, most likely).
 */
export function learningCurveBand(runs: readonly TrainingCurve[]): CurveBand {
  if (runs.length === 0) throw new Error('learningCurveBand: no training run');
  const evals = runs.map((r) => new Map(r.curve.flatMap((c) => (c.evalSuccess === undefined ? [] : [[c.episode, c.evalSuccess] as const]))));
  const episodes = [...(evals[0] as Map<number, number>).keys()].filter((e) => evals.every((m) => m.has(e))).sort((a, b) => a - b);
  if (episodes.length === 0) throw new Error(`learningCurveBand: the runs of seeds ${runs.map((r) => r.seed).join(', ')} share no evaluated episode`);
  const points = episodes.map((episode) => {
    const values = evals.map((m) => m.get(episode) as number);
    const { mean, ci } = meanWithInterval(values);
    return { episode, mean, min: Math.min(...values), max: Math.max(...values), ci95: ci };
  });
  const summary = runs.map((r, i) => {
    const [bestEpisode, bestEval] = [...(evals[i] as Map<number, number>)].reduce((best, e) => (e[1] > best[1] ? e : best));
    const [policy, success] = Object.entries(r.baselines).reduce((best, b) => (b[1] > best[1] ? b : best), ['none', 0] as [string, number]);
    return { seed: r.seed, bestEval, bestEpisode, bestStatic: { policy, success } };
  });
  return { seeds: runs.map((r) => r.seed), points, runs: summary };
}
