import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChartSvg } from '@aset/charts';
import { learningCurveBand, type TrainedAgentRun, type TrainingCurve } from '@aset/evaluation';
import { REPO_ROOT } from '@aset/command-line';

const pct = (x: number) => (x * 100).toFixed(1);

/**
 * The "Learning curves" part of a suite's section: for each ASET mode, the greedy evaluation of every
 * training seed's agent over training (`<checkpoint>.curve.json`, written by `npm run train`) as a
 * band (lowest to highest over the seeds, line at the mean), drawn to `<dir>/learning-curve-<mode>.svg`,
 * and a table of each seed's kept evaluation against the best static policy on the same evaluation
 * episodes. A mode whose curves are missing is said to be so. Returns the markdown.
 */
export function learningCurvesSection(trained: readonly TrainedAgentRun[], dir: string): string {
  const lines = [
    '### Learning curves',
    '',
    "Greedy evaluation on the training scenario's fixed evaluation episodes during training (`npm run train` evaluates every `--eval-every` episodes and keeps the best), for every training seed: the line is the mean over the seeds, the band runs from the lowest to the highest. The evaluation episodes are drawn from each run's own seed, so the best static policy is given per seed.",
    '',
  ];
  const modes = [...new Set(trained.map((t) => t.mode))];
  for (const mode of modes) {
    const agents = trained.filter((t) => t.mode === mode).sort((a, b) => a.trainingSeed - b.trainingSeed);
    const files = agents.map((a) => join(REPO_ROOT, a.checkpoint.replace(/\.json$/, '.curve.json')));
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) {
      lines.push(`\`${mode}\`: no curve (${missing.map((f) => f.slice(REPO_ROOT.length + 1)).join(', ')} missing).`, '');
      continue;
    }
    const band = learningCurveBand(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as TrainingCurve));
    const chart = `learning-curve-${mode}.svg`;
    const staticMean = band.runs.reduce((a, r) => a + r.bestStatic.success, 0) / band.runs.length;
    const first = band.points[0]?.episode ?? 0;
    const last = band.points.at(-1)?.episode ?? 0;
    writeFileSync(
      join(dir, chart),
      lineChartSvg({
        title: `${mode}: greedy evaluation during training, ${band.seeds.length} training seeds`,
        xLabel: 'training episode',
        yLabel: 'success ratio (SLO met)',
        series: [
          { label: `mean of seeds ${band.seeds.join(', ')} (band: range)`, color: '#1f5fa8', dots: true, points: band.points.map((p) => [p.episode, p.mean]), band: band.points.map((p) => [p.episode, p.min, p.max]) },
          { label: 'best static, mean of seeds', color: '#c0392b', dashed: true, points: [[first, staticMean], [last, staticMean]] },
        ],
        legendWidth: 260,
        width: 860,
      }),
    );
    lines.push(`![${mode} learning curve](results/${chart})`, '');
    lines.push('| training seed | kept evaluation (episode) | best static policy on the same episodes |', '|---|---|---|');
    for (const r of band.runs) lines.push(`| ${r.seed} | ${pct(r.bestEval)}% (${r.bestEpisode}) | \`${r.bestStatic.policy}\` ${pct(r.bestStatic.success)}% |`);
    lines.push('');
  }
  return lines.join('\n');
}
