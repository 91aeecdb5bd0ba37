import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { figureSvg } from '@aset/charts';
import { REPO_ROOT } from '@aset/command-line';
import type { SuiteReport } from '@aset/evaluation';
import { modeLearningCurves } from './learning-curves.section.js';
import { learningCurveBandFigure, trainingCurveFigure, type TrainingRunCurve } from './learning-curve.figure.js';
import { suitePolicyGroups, suiteSuccessFigure } from './suite.figure.js';

/** One figure the repository commits, and whether it matches what the data renders to now. */
export interface FigureFile {
  /** Path relative to the repository. */
  file: string;
  /** The data it is drawn from, relative to the repository. */
  from: string;
  status: 'current' | 'stale' | 'missing';
}

const RESULTS_DIR = join(REPO_ROOT, 'docs', 'results');
const CHECKPOINTS_DIR = join(REPO_ROOT, 'checkpoints');

/**
 * Every committed figure with the data it is drawn from: each suite's success figure
 * (`docs/results/<suite>.json`), each mode's learning-curve band (the training seeds that suite
 * report names), and each training run's curve beside its checkpoint (`checkpoints/**\/*.curve.json`).
 */
async function renderAll(): Promise<{ file: string; from: string; svg: string }[]> {
  const out: { file: string; from: string; svg: string }[] = [];
  const reports = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).sort();
  const bands = new Map<string, { from: string; svg: Promise<string> }>();
  for (const name of reports) {
    const from = join(RESULTS_DIR, name);
    const report = JSON.parse(readFileSync(from, 'utf8')) as SuiteReport;
    out.push({ file: join(RESULTS_DIR, `${report.suite}-success.svg`), from, svg: await figureSvg(suiteSuccessFigure(report, suitePolicyGroups())) });
    const trained = report.trainingSeeds.flatMap((t) => t.agents.map((a) => ({ mode: t.mode, trainingSeed: a.trainingSeed, checkpoint: a.checkpoint })));
    for (const { mode, band, missing } of modeLearningCurves(trained)) {
      if (!band) throw new Error(`${relative(REPO_ROOT, from)}: the curves of ${mode} are missing: ${missing.join(', ')}`);
      if (!bands.has(mode)) bands.set(mode, { from, svg: figureSvg(learningCurveBandFigure(mode, band)) });
    }
  }
  for (const [mode, b] of bands) out.push({ file: join(RESULTS_DIR, `learning-curve-${mode}.svg`), from: b.from, svg: await b.svg });
  for (const dir of [CHECKPOINTS_DIR, join(CHECKPOINTS_DIR, 'seeds')]) {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.curve.json')).sort()) {
      const from = join(dir, name);
      const run = JSON.parse(readFileSync(from, 'utf8')) as TrainingRunCurve;
      out.push({ file: from.replace(/\.json$/, '.svg'), from, svg: await figureSvg(trainingCurveFigure(run)) });
    }
  }
  return out;
}

/**
 * Renders every committed figure from its data with the current figure code, and with `write`
 * replaces each that differs. Returns each figure's state before any write. Throws when a report
 * names training curves that are missing.
 */
export async function regenerateFigures(options: { write: boolean }): Promise<FigureFile[]> {
  const rendered = await renderAll();
  return rendered.map(({ file, from, svg }) => {
    const status = !existsSync(file) ? 'missing' : readFileSync(file, 'utf8') === svg ? 'current' : 'stale';
    if (options.write && status !== 'current') writeFileSync(file, svg);
    return { file: relative(REPO_ROOT, file), from: relative(REPO_ROOT, from), status };
  });
}
