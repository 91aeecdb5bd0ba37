import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { figureSvg } from '@aset/charts';
import { learningCurveBand, type CurveBand, type TrainedAgentRun, type TrainingCurve } from '@aset/evaluation';
import { REPO_ROOT } from '@aset/command-line';
import { learningCurveBandFigure } from './learning-curve.figure.js';

const pct = (x: number) => (x * 100).toFixed(1);

/**
 * The "Learning curves" part of a suite's section: for each ASET mode, the greedy evaluation of every
 * training seed's agent over training (`<checkpoint>.curve.json`, written by `npm run train`), its
 * mean over the seeds with a 95% interval band ({@link learningCurveBandFigure}), drawn to
 * `<dir>/learning-curve-<mode>.svg`,
 * and a table of each seed's kept evaluation against the best static policy on the same evaluation
 * episodes. A mode whose curves are missing is said to be so. Returns the markdown.
 */
export async function learningCurvesSection(trained: readonly TrainedAgentRun[], dir: string): Promise<string> {
  const lines = [
    '### Learning curves',
    '',
    "Greedy evaluation on the training scenario's fixed evaluation episodes during training (`npm run train` evaluates every `--eval-every` episodes and keeps the best), for every training seed: the line is the mean over the seeds, the band its Student's t 95% interval. The evaluation episodes are drawn from each run's own seed, so the best static policy is given per seed.",
    '',
  ];
  for (const { mode, band, missing } of modeLearningCurves(trained)) {
    if (!band) {
      lines.push(`\`${mode}\`: no curve (${missing.join(', ')} missing).`, '');
      continue;
    }
    const chart = `learning-curve-${mode}.svg`;
    writeFileSync(join(dir, chart), await figureSvg(learningCurveBandFigure(mode, band)));
    lines.push(`![${mode} learning curve](results/${chart})`, '');
    lines.push('| training seed | kept evaluation (episode) | best static policy on the same episodes |', '|---|---|---|');
    for (const r of band.runs) lines.push(`| ${r.seed} | ${pct(r.bestEval)}% (${r.bestEpisode}) | \`${r.bestStatic.policy}\` ${pct(r.bestStatic.success)}% |`);
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * Per ASET mode among `trained` (in order of first appearance): the band of its training seeds'
 * curves (`<checkpoint>.curve.json`), or the curve files that are missing (relative to the repo).
 */
export function modeLearningCurves(trained: readonly Pick<TrainedAgentRun, 'mode' | 'trainingSeed' | 'checkpoint'>[]): { mode: string; band: CurveBand | null; missing: string[] }[] {
  return [...new Set(trained.map((t) => t.mode))].map((mode) => {
    const agents = trained.filter((t) => t.mode === mode).sort((a, b) => a.trainingSeed - b.trainingSeed);
    const files = agents.map((a) => join(REPO_ROOT, a.checkpoint.replace(/\.json$/, '.curve.json')));
    const missing = files.filter((f) => !existsSync(f)).map((f) => relative(REPO_ROOT, f));
    return { mode, band: missing.length > 0 ? null : learningCurveBand(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as TrainingCurve)), missing };
  });
}
