import { lineChartSpec, type FigureSpec } from '@aset/charts';
import type { CurveBand, TrainingCurve } from '@aset/evaluation';

/** One training run as `npm run train` writes it next to its checkpoint (`<checkpoint>.curve.json`). */
export interface TrainingRunCurve extends TrainingCurve {
  mode: string;
  scenario: string;
}

const SUCCESS_AXIS = { title: 'success ratio (SLO met)', format: 'percent' } as const;

/** The strongest static policy of a run's evaluation episodes, `[name, success]`. */
export function bestStaticOf(baselines: Readonly<Record<string, number>>): [string, number] {
  return Object.entries(baselines).reduce((best, b) => (b[1] > best[1] ? b : best), ['none', 0] as [string, number]);
}

/**
 * One training run's learning curve (the figure `npm run train` writes beside the checkpoint): the
 * success of each exploring training episode, the greedy evaluations as dots joined by a line, and
 * the best static policy on the same evaluation episodes as a dashed reference.
 */
export function trainingCurveFigure(run: TrainingRunCurve): FigureSpec {
  const [policy, success] = bestStaticOf(run.baselines);
  const episodes = run.curve.map((c) => c.episode);
  return lineChartSpec({
    title: `${run.mode} on ${run.scenario}: learning curve`,
    subtitle: `training seed ${run.seed}; evaluation: greedy policy on fixed evaluation episodes`,
    x: { title: 'training episode' },
    y: SUCCESS_AXIS,
    series: [
      { label: 'training episode (exploring)', color: '#9bb7d4', points: run.curve.map((c) => [c.episode, c.trainSuccess]) },
      { label: 'evaluation (greedy)', color: '#1f5fa8', dots: true, points: run.curve.flatMap((c) => (c.evalSuccess === undefined ? [] : [[c.episode, c.evalSuccess] as const])) },
      { label: `best static policy (${policy})`, color: '#c0392b', dashed: true, points: [[Math.min(...episodes), success], [Math.max(...episodes), success]] },
    ],
  });
}

/**
 * The learning curves of one mode over several training seeds: the mean greedy evaluation as a line
 * with dots, its Student's t 95% interval over the seeds as a band, and the best static policy
 * (mean over the seeds' evaluation episodes) as a dashed reference.
 */
export function learningCurveBandFigure(mode: string, band: CurveBand): FigureSpec {
  const staticMean = band.runs.reduce((a, r) => a + r.bestStatic.success, 0) / band.runs.length;
  const first = band.points[0]?.episode ?? 0;
  const last = band.points.at(-1)?.episode ?? 0;
  return lineChartSpec({
    title: `${mode}: greedy evaluation during training`,
    subtitle: `mean of training seeds ${band.seeds.join(', ')}; band: 95% confidence interval over the seeds`,
    x: { title: 'training episode' },
    y: SUCCESS_AXIS,
    series: [
      { label: `${mode}, mean of ${band.seeds.length} seeds`, color: '#1f5fa8', dots: true, points: band.points.map((p) => [p.episode, p.mean]), band: band.points.map((p) => [p.episode, p.ci95[0], p.ci95[1]]) },
      { label: 'best static policy, mean of the seeds', color: '#c0392b', dashed: true, points: [[first, staticMean], [last, staticMean]] },
    ],
  });
}
