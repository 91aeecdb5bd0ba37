import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_SEEDS, SUITE_NAMES, buildSuiteReport, mergeResultsDocument, suiteByName, suiteSection, type SeedBounds, type SeedRun, type SuiteRoles, type TrainedAgentRun } from '@aset/evaluation';
import { HEURISTIC_POLICY_NAMES, readAsetCheckpoint } from '@aset/scheduling';
import { figureSvg } from '@aset/charts';
import { REPO_ROOT, RunOutputDirectory, checkpointPath, checkpointRef, directory, positiveInt, resolvedScenario, runCommand, seedCountOrList } from '@aset/command-line';
import { readScenarioFile, type Scenario } from '@aset/scenario';
import { readZoo } from '@aset/model-zoo';
import type { ExperimentJob, ExperimentJobResult } from './experiment.job.js';
import { ExperimentJournal, contentHash, scenarioHash } from './experiment.journal.js';
import { RESULTS_PREAMBLE } from './results.preamble.js';
import { learningCurvesSection } from './learning-curves.section.js';
import { ASET_MODES, suitePolicyGroups, suiteSuccessFigure } from './suite.figure.js';

/** `<option> n` or `<option> a,b,c`: a count, or a list of distinct integer seeds >= 0. */
function countOrSeeds(option: string, v: string): { count: number } | { seeds: number[] } {
  const parts = v.split(',').map((x) => x.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => p === '') || nums.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError(`${option} expects a count (e.g. 5) or comma-separated integer seeds >= 0 (e.g. 1,2,3), got "${v}"`);
  if (nums.length === 1) return { count: nums[0] as number };
  if (new Set(nums).size !== nums.length) throw new InvalidArgumentError(`${option} repeats a seed: "${v}"`);
  return { seeds: nums };
}

const program = new Command('experiment')
  .description(
    'Run every heuristic, the ASET agents and their ablations over a suite of scenarios in the simulator, over several workload seeds; report means with 95% intervals, paired comparisons, the no-contention and capacity bounds, and the spread of the agents across training seeds. Writes docs/results.md; the last stdout line is one JSON object with --json.',
  )
  .option('--suite <name>', `suite: ${SUITE_NAMES.join(', ')}`, 'standard')
  .option('--seeds <n|list>', `workload seeds: a count (1..n) or a comma-separated list (default ${DEFAULT_SEEDS.join(',')})`, seedCountOrList('--seeds'))
  .option('--queries <n>', "measured queries per run (default: each scenario's)", positiveInt('--queries'))
  .option('--scenarios <names>', 'only these scenarios of the suite (comma-separated)')
  .option('--threads <n>', 'simulations run in parallel, one per thread', positiveInt('--threads'), Math.max(1, availableParallelism()))
  .option('--no-training-seeds', 'skip the agents trained from other training seeds (checkpoints/seeds/)')
  .option('--spread-seeds <n|list>', 'workload seeds the agents from other training seeds run on, and their spread compares every agent on: a count (the first n of --seeds) or a list within --seeds (default: all of --seeds)')
  .option('--journal <file>', 'where finished runs are journaled (default: reports/experiment/<suite>.runs.jsonl)')
  .option('--resume', 'reuse the runs the journal holds when nothing that decides them changed', false)
  .option('--json', 'print the report as one JSON object on the last stdout line', false)
  .option('--no-write', 'do not write docs/results.md and docs/results/<suite>.*')
  .option(
    '--out <dir>',
    'also write research outputs here: queries.<scenario>.<policy>.seed-<n>.csv per run (one row per query) and run.json (suite, seeds, resolved scenarios, policies with checkpoint hashes, code version, the report); every run is simulated again (the journal is not reused)',
    directory('--out'),
  )
  .parse();
const o = program.opts<{ suite: string; seeds?: number[]; spreadSeeds?: string; queries?: number; scenarios?: string; threads: number; trainingSeeds: boolean; journal?: string; resume: boolean; json: boolean; write: boolean; out?: string }>();

/** The learned policies, their ablations, and the registry name each label runs. */
const ABLATIONS: SuiteRoles['ablations'] = [
  ['aset-direct', 'aset-direct-unshielded'],
  ['aset-direct', 'shield-random'],
  ['aset-direct', 'shielded-greedy'],
  ['aset', 'closest'],
];

await runCommand('experiment', async () => {
  const suite = suiteByName(o.suite);
  const seeds = o.seeds ?? [...DEFAULT_SEEDS];
  const only = o.scenarios?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !suite.scenarios.some((s) => s.name === n)) ?? [];
  if (unknown.length) throw new Error(`--scenarios: ${unknown.join(', ')} not in suite ${suite.name} (${suite.scenarios.map((s) => s.name).join(', ')})`);
  const scenarios = suite.scenarios.filter((s) => !only || only.includes(s.name));
  const spreadSeeds = spreadSeedsOf(o.spreadSeeds, seeds);
  const shipped = { aset: checkpointPath(suite.agentsFrom, 'aset'), 'aset-direct': checkpointPath(suite.agentsFrom, 'aset-direct') };
  for (const [mode, file] of Object.entries(shipped)) {
    if (!existsSync(file)) throw new Error(`${mode} checkpoint ${file} is missing: run npm run train -- --scenario ${suite.agentsFrom} --mode ${mode} (commands in checkpoints/README.md)`);
  }
  const trained = trainedAgents(suite.agentsFrom, shipped, o.trainingSeeds);
  const heuristics = [...HEURISTIC_POLICY_NAMES];
  const labels: { label: string; policy: string; checkpoints: ExperimentJob['checkpoints']; otherTrainingSeed?: true }[] = [
    ...heuristics.map((p) => ({ label: p, policy: p, checkpoints: p === 'shield-random' ? { 'aset-direct': shipped['aset-direct'] } : {} })),
    { label: 'aset', policy: 'aset', checkpoints: { aset: shipped.aset } },
    { label: 'aset-direct', policy: 'aset-direct', checkpoints: { 'aset-direct': shipped['aset-direct'] } },
    { label: 'aset-direct-unshielded', policy: 'aset-direct-unshielded', checkpoints: { 'aset-direct': shipped['aset-direct'] } },
    ...trained.filter((t) => !t.shipped).map((t) => ({ label: t.label, policy: t.mode, checkpoints: { [t.mode]: join(REPO_ROOT, t.checkpoint) }, otherTrainingSeed: true as const })),
  ];
  // What decides a run's figures besides its scenario, seed and policy: the code that simulates, the zoo, the checkpoints.
  const manifest = join(REPO_ROOT, 'models', 'manifest.json');
  const zoo = readZoo(manifest);
  const code = contentHash([
    ...['contracts', 'determinism', 'scenario', 'model-zoo', 'scheduling', 'workload', 'sim', 'rl'].map((lib) => join(REPO_ROOT, 'libs', lib, 'dist')),
    join(REPO_ROOT, 'tools', 'aset', 'dist', 'experiment.job.js'),
    manifest,
  ]);
  const checkpointHash = new Map<string, string>();
  const hashOf = (file: string) => {
    let h = checkpointHash.get(file);
    if (!h) checkpointHash.set(file, (h = contentHash([file])));
    return h;
  };
  // With --out every run writes its queries, so none is taken from the journal.
  const journal = new ExperimentJournal(o.journal ?? join(REPO_ROOT, 'reports', 'experiment', `${suite.name}.runs.jsonl`), o.resume && o.out === undefined);
  const output = o.out === undefined ? undefined : new RunOutputDirectory(o.out);
  const csvName = (job: Pick<ExperimentJob, 'scenario' | 'label' | 'seed'>) => `${job.scenario.replace(/[^A-Za-z0-9_.-]/g, '-')}.${job.label.replace(/[^A-Za-z0-9_.-]/g, '-')}.seed-${job.seed}`;
  const jobs: ExperimentJob[] = [];
  const keys: string[] = [];
  const parsedScenarios: Scenario[] = [];
  for (const s of scenarios) {
    const scenarioFile = join(REPO_ROOT, 'scenarios', suite.directory, `${s.name}.yaml`);
    const parsed = readScenarioFile(scenarioFile, { zoo });
    parsedScenarios.push(parsed);
    const spec = scenarioHash(parsed);
    for (const seed of seeds) {
      for (const l of labels) {
        if (l.otherTrainingSeed && !spreadSeeds.includes(seed)) continue;
        const base = { scenario: s.name, seed, label: l.label };
        const job: ExperimentJob = {
          id: jobs.length,
          ...base,
          scenarioFile,
          policy: l.policy,
          checkpoints: l.checkpoints,
          bounds: l.label === 'closest',
          ...(o.queries ? { queries: o.queries } : {}),
          ...(output ? { queriesCsv: { file: join(output.dir, `queries.${csvName(base)}.csv`), runId: `experiment-${csvName(base)}` } } : {}),
        };
        jobs.push(job);
        keys.push(JSON.stringify({ scenario: s.name, spec, seed, label: l.label, policy: l.policy, queries: o.queries ?? null, bounds: job.bounds, checkpoints: Object.values(l.checkpoints).map(hashOf), code }));
      }
    }
  }
  const todo = jobs.filter((j) => journal.get(keys[j.id] as string) === undefined);
  process.stderr.write(
    `experiment: suite ${suite.name}, ${plural(scenarios.length, 'scenario')} x ${plural(seeds.length, 'seed')} x ${plural(labels.length, 'policy', 'policies')}${spreadSeeds.length < seeds.length && trained.some((t) => !t.shipped) ? ` (agents from other training seeds on seed${spreadSeeds.length === 1 ? '' : 's'} ${spreadSeeds.join(', ')} only)` : ''} = ${plural(jobs.length, 'run')}${todo.length < jobs.length ? ` (${jobs.length - todo.length} reused from ${relative(REPO_ROOT, journal.file)})` : ''} on ${o.threads} threads\n`,
  );
  const t0 = Date.now();
  const fresh = await runPool(todo, o.threads, (job, r, done) => {
    journal.record(keys[job.id] as string, r);
    const elapsed = (Date.now() - t0) / 1000;
    const eta = (elapsed / done) * (todo.length - done);
    process.stderr.write(`[${String(done).padStart(String(todo.length).length)}/${todo.length}] ${job.scenario} seed ${job.seed} ${job.label.padEnd(24)} ${(r.successRatio * 100).toFixed(2).padStart(6)}%  ${(r.wallMs / 1000).toFixed(1)} s  (eta ${Math.round(eta)} s)\n`);
  });
  const results = new Map(jobs.map((j) => [j.id, fresh.get(j.id) ?? (journal.get(keys[j.id] as string) as ExperimentJobResult)]));
  journal.keepOnly(keys);
  const runs: SeedRun[] = [];
  const bounds: SeedBounds[] = [];
  for (const job of jobs) {
    const r = results.get(job.id) as ExperimentJobResult;
    runs.push({ scenario: job.scenario, seed: job.seed, policy: job.label, successRatio: r.successRatio, p95Ms: r.p95Ms, drops: r.drops, timedOut: r.timedOut });
    if (r.bounds) bounds.push({ scenario: job.scenario, seed: job.seed, ...r.bounds });
  }
  const scoped = { ...suite, scenarios };
  const report = buildSuiteReport(scoped, seeds, runs, bounds, { heuristics, asetModes: ASET_MODES, ablations: ABLATIONS }, trained, spreadSeeds);
  process.stderr.write(`experiment: ${jobs.length} runs in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  if (o.write) await writeOutputs(report, scoped, shipped, trained);
  if (output) {
    const file = output.writeRun('experiment', {
      suite: suite.name,
      seeds,
      spreadSeeds,
      queries: o.queries ?? null,
      scenarios: parsedScenarios.map(resolvedScenario),
      policies: labels.map((l) => ({ label: l.label, policy: l.policy, checkpoints: Object.fromEntries(Object.entries(l.checkpoints).map(([mode, f]) => [mode, checkpointRef(f)])) })),
      runs: jobs.map((j) => ({ scenario: j.scenario, seed: j.seed, policy: j.label, runId: j.queriesCsv?.runId, queriesCsv: `queries.${csvName(j)}.csv`, ...results.get(j.id) })),
      report,
    });
    process.stderr.write(`experiment: wrote ${file} and ${jobs.length} per-query CSV files in ${output.dir}\n`);
  }
  if (o.json) console.log(JSON.stringify(report));
});

/** The command that reproduces this run's figures: the suite and every option that changes them. */
function reproduceCommand(suite: string): string {
  const opts = [
    `--suite ${suite}`,
    ...(o.seeds ? [`--seeds ${o.seeds.join(',')}`] : []),
    ...(o.scenarios ? [`--scenarios ${o.scenarios}`] : []),
    ...(o.queries ? [`--queries ${o.queries}`] : []),
    ...(o.trainingSeeds ? (o.spreadSeeds ? [`--spread-seeds ${o.spreadSeeds}`] : []) : ['--no-training-seeds']),
  ];
  return `npm run -s experiment -- ${opts.join(' ')} --json`;
}

/** `--spread-seeds`: a count takes the first n of `seeds`, a list must lie within them. */
function spreadSeedsOf(v: string | undefined, seeds: readonly number[]): readonly number[] {
  if (v === undefined) return seeds;
  const parsed = countOrSeeds('--spread-seeds', v);
  if ('count' in parsed) {
    if (parsed.count < 1 || parsed.count > seeds.length) throw new Error(`--spread-seeds ${parsed.count}: a count must be between 1 and the ${seeds.length} workload seeds`);
    return seeds.slice(0, parsed.count);
  }
  const outside = parsed.seeds.filter((n) => !seeds.includes(n));
  if (outside.length) throw new Error(`--spread-seeds: ${outside.join(', ')} not among the workload seeds ${seeds.join(', ')}`);
  return parsed.seeds;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The shipped agents and, unless skipped, those trained from other seeds (`checkpoints/seeds/<stem>.<mode>.seed-<n>.json`). */
function trainedAgents(agentsFrom: string, shipped: Record<string, string>, others: boolean): TrainedAgentRun[] {
  const out: TrainedAgentRun[] = [];
  const seedsDir = join(REPO_ROOT, 'checkpoints', 'seeds');
  for (const mode of ASET_MODES) {
    const file = shipped[mode] as string;
    const seed = readAsetCheckpoint(file).metadata.seed;
    out.push({ mode, trainingSeed: seed, label: mode, checkpoint: relative(REPO_ROOT, file), shipped: true });
    if (!others || !existsSync(seedsDir)) continue;
    const stem = relative(join(REPO_ROOT, 'checkpoints'), checkpointPath(agentsFrom, mode, join(REPO_ROOT, 'checkpoints'))).replace(/\.json$/, '');
    for (const f of readdirSync(seedsDir).sort()) {
      const m = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.seed-(\\d+)\\.json$`).exec(f);
      if (!m) continue;
      const trainingSeed = Number(m[1]);
      if (trainingSeed === seed) continue;
      out.push({ mode, trainingSeed, label: `${mode}@seed-${trainingSeed}`, checkpoint: relative(REPO_ROOT, join(seedsDir, f)), shipped: false });
    }
  }
  return out;
}

/** Runs the jobs on `threads` worker threads, slowest kinds first; rejects on the first failed job. */
function runPool(jobs: ExperimentJob[], threads: number, onDone: (job: ExperimentJob, result: ExperimentJobResult, done: number) => void): Promise<Map<number, ExperimentJobResult>> {
  // Learned agents run a network per query: start them first so that the threads finish together.
  const cost = (j: ExperimentJob) => (j.policy.startsWith('aset-direct') ? 0 : j.policy === 'aset' ? 1 : 2);
  const queue = [...jobs].sort((a, b) => cost(a) - cost(b) || a.id - b.id);
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const results = new Map<number, ExperimentJobResult>();
  const manifest = join(REPO_ROOT, 'models', 'manifest.json');
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let failed = false;
    const stopAll = () => Promise.all(workers.map((w) => w.terminate()));
    const feed = (w: Worker) => {
      const job = queue.shift();
      if (job) w.postMessage(job);
      else if (results.size === jobs.length) void stopAll().then(() => resolve(results));
    };
    for (let i = 0; i < Math.min(threads, jobs.length); i++) {
      const w = new Worker(new URL('./experiment.worker.js', import.meta.url), { workerData: { manifest } });
      workers.push(w);
      w.on('message', (m: { ok: true; result: ExperimentJobResult } | { ok: false; id: number; message: string }) => {
        if (failed) return;
        if (!m.ok) {
          failed = true;
          const job = byId.get(m.id) as ExperimentJob;
          void stopAll().then(() => reject(new Error(`${job.label} on ${job.scenario} (seed ${job.seed}): ${m.message}`)));
          return;
        }
        results.set(m.result.id, m.result);
        onDone(byId.get(m.result.id) as ExperimentJob, m.result, results.size);
        feed(w);
      });
      w.on('error', (e) => {
        if (failed) return;
        failed = true;
        void stopAll().then(() => reject(e));
      });
      feed(w);
    }
    if (jobs.length === 0) resolve(results);
  });
}

async function writeOutputs(report: ReturnType<typeof buildSuiteReport>, suite: { name: string }, shipped: Record<string, string>, trained: readonly TrainedAgentRun[]): Promise<void> {
  const dir = join(REPO_ROOT, 'docs', 'results');
  mkdirSync(dir, { recursive: true });
  const groups = suitePolicyGroups();
  const chart = `${suite.name}-success.svg`;
  writeFileSync(join(dir, chart), await figureSvg(suiteSuccessFigure(report, groups)));
  writeFileSync(join(dir, `${suite.name}.json`), `${JSON.stringify(report, null, 1)}\n`);
  const section = suiteSection(report, {
    command: reproduceCommand(suite.name),
    queries: o.queries ?? null,
    checkpoints: Object.fromEntries(Object.entries(shipped).map(([m, f]) => [m, relative(REPO_ROOT, f)])),
    groups,
    chart: `results/${chart}`,
  });
  const file = join(REPO_ROOT, 'docs', 'results.md');
  const curves = await learningCurvesSection(trained, dir);
  writeFileSync(file, mergeResultsDocument(existsSync(file) ? readFileSync(file, 'utf8') : '', RESULTS_PREAMBLE, suite.name, `${section.trimEnd()}\n\n${curves}`));
  process.stderr.write(`wrote docs/results.md, docs/results/${chart}, docs/results/${suite.name}.json\n`);
}
