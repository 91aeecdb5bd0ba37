import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { readScenarioFile } from '@aset/scenario';
import { DEFAULT_SAFETY_TIERS, PlacementCatalog, STATIC_POLICY_NAMES, asetAgentFromCheckpoint, createPolicy, type AsetAgents } from '@aset/scheduling';
import { FanOutSink, Simulation, SummarySink, UpperBoundSink } from '@aset/sim';
import { readZoo } from '@aset/model-zoo';
import { barChartSvg } from '@aset/charts';
import { REPO_ROOT, checkpointPath } from '@aset/command-line';

/** The suites: scenario names under scenarios/suite/, and which of them are dynamic (time-varying). */
const SUITES: Record<string, { scenarios: string[]; dynamic: string[]; checkpoints: string }> = {
  standard: {
    scenarios: ['steady', 'diurnal', 'flash-crowd', 'network-degradation', 'cluster-outage', 'mixed-slo'],
    dynamic: ['diurnal', 'flash-crowd', 'network-degradation', 'cluster-outage'],
    checkpoints: 'suite/base',
  },
};

const program = new Command('experiment')
  .description('Run every static policy, aset and aset-direct over a suite of scenarios in the simulator; write docs/results.md with tables and plots.')
  .option('--suite <name>', `suite: ${Object.keys(SUITES).join(', ')}`, 'standard')
  .option('--queries <n>', "measured queries per scenario (default: each scenario's)", (v) => Number(v))
  .option('--json', 'print one JSON object on stdout', false)
  .option('--no-write', 'do not write docs/results.md')
  .parse();
const o = program.opts<{ suite: string; queries?: number; json: boolean; write: boolean }>();

interface PolicyFigures {
  successRatio: number;
  p95Ms: number | null;
  drops: number;
}

try {
  const suite = SUITES[o.suite];
  if (!suite) throw new Error(`unknown suite "${o.suite}"; expected one of: ${Object.keys(SUITES).join(', ')}`);
  const zoo = readZoo(join(REPO_ROOT, 'models', 'manifest.json'));
  const checkpointFiles = { aset: checkpointPath(suite.checkpoints, 'aset'), 'aset-direct': checkpointPath(suite.checkpoints, 'aset-direct') };
  for (const [mode, file] of Object.entries(checkpointFiles)) {
    if (!existsSync(file)) throw new Error(`${mode} checkpoint ${file} is missing: run npm run train -- --scenario ${suite.checkpoints} --mode ${mode}`);
  }
  const results: { name: string; dynamic: boolean; upperBound: number; policies: Record<string, PolicyFigures> }[] = [];
  for (const name of suite.scenarios) {
    const scenario = readScenarioFile(join(REPO_ROOT, 'scenarios', 'suite', `${name}.yaml`), { zoo });
    const catalog = new PlacementCatalog(scenario, zoo);
    const agents: AsetAgents = {
      ...asetAgentFromCheckpoint(readFileSync(checkpointFiles.aset, 'utf8'), checkpointFiles.aset, scenario, catalog),
      ...asetAgentFromCheckpoint(readFileSync(checkpointFiles['aset-direct'], 'utf8'), checkpointFiles['aset-direct'], scenario, catalog),
    };
    const workload = scenario.spec.workload;
    const policies: Record<string, PolicyFigures> = {};
    let upperBound = 0;
    for (const policy of [...STATIC_POLICY_NAMES, 'aset', 'aset-direct']) {
      const t0 = Date.now();
      const summary = new SummarySink();
      const upper = new UpperBoundSink(catalog);
      new Simulation({
        scenario,
        zoo,
        seed: workload.seed,
        queries: o.queries ?? workload.queries,
        warmupQueries: workload.warmupQueries,
        policy: (ctx) => createPolicy(policy, { ...ctx, agents }),
        sink: new FanOutSink([summary, upper]),
      }).run();
      const s = summary.summary();
      policies[policy] = { successRatio: s.successRatio, p95Ms: s.p95Ms, drops: s.drops };
      upperBound = upper.ratio;
      process.stderr.write(`${name.padEnd(20)} ${policy.padEnd(14)} ${(s.successRatio * 100).toFixed(1).padStart(5)}%  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    results.push({ name, dynamic: suite.dynamic.includes(name), upperBound, policies });
  }
  if (o.write) writeResults(o.suite, results, checkpointFiles);
  if (o.json) console.log(JSON.stringify({ scenarios: results.map(({ name, upperBound, policies }) => ({ name, upperBound, policies })) }));
} catch (e) {
  console.error(`experiment failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

function writeResults(suite: string, results: { name: string; dynamic: boolean; upperBound: number; policies: Record<string, PolicyFigures> }[], checkpoints: Record<string, string>): void {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const statics = [...STATIC_POLICY_NAMES] as string[];
  const all = [...statics, 'aset', 'aset-direct'];
  const bestStatic = (r: (typeof results)[number]) => Math.max(...statics.map((p) => r.policies[p]?.successRatio ?? 0));
  const bestAset = (r: (typeof results)[number]) => Math.max(r.policies['aset']?.successRatio ?? 0, r.policies['aset-direct']?.successRatio ?? 0);
  const dynamic = results.filter((r) => r.dynamic);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  // The best single static policy: the one with the highest average over the dynamic scenarios.
  const single = statics.map((p) => ({ p, v: avg(dynamic.map((r) => r.policies[p]?.successRatio ?? 0)) })).sort((a, b) => b.v - a.v)[0] as { p: string; v: number };
  const asetDyn = Math.max(avg(dynamic.map((r) => r.policies['aset']?.successRatio ?? 0)), avg(dynamic.map((r) => r.policies['aset-direct']?.successRatio ?? 0)));
  const everywhere = results.every((r) => bestAset(r) >= bestStatic(r) - 1e-12);

  const dir = join(REPO_ROOT, 'docs', 'results');
  mkdirSync(dir, { recursive: true });
  const colors = ['#8c8c8c', '#c0392b', '#d4a373', '#e9c46a', '#2a9d8f', '#457b9d', '#1d3557', '#7b2cbf'];
  writeFileSync(
    join(dir, `${suite}-success.svg`),
    barChartSvg({
      title: `Success ratio (SLO met) per scenario, suite ${suite}`,
      categories: results.map((r) => r.name),
      series: all.map((p, i) => ({ label: p, color: colors[i % colors.length] as string, values: results.map((r) => r.policies[p]?.successRatio ?? 0) })),
      markers: { label: 'upper bound', values: results.map((r) => r.upperBound) },
    }),
  );
  const lines: string[] = [];
  lines.push(`# Results: suite \`${suite}\``, '');
  lines.push(`Written by \`npm run -s experiment -- --suite ${suite} --json\` (simulator, ISP-scale scenarios under \`scenarios/suite/\`; the same run prints this as JSON). ASET agents: \`${relative(REPO_ROOT, checkpoints['aset'] as string)}\` and \`${relative(REPO_ROOT, checkpoints['aset-direct'] as string)}\`, trained by \`npm run train\` with the commands in [checkpoints/README.md](../checkpoints/README.md) (learning curves below). \`aset-direct\` decides behind its deployed safety shield (tiers ${DEFAULT_SAFETY_TIERS.join(',')}: see the README).`, '');
  lines.push(`- ASET (the better of \`aset\` and \`aset-direct\`) is at or above the best static policy in every scenario: **${everywhere ? 'yes' : 'no'}**.`);
  lines.push(`- Average over the dynamic scenarios (${dynamic.map((r) => r.name).join(', ')}): ASET ${pct(asetDyn)}, best single static policy \`${single.p}\` ${pct(single.v)}: **${((asetDyn - single.v) * 100).toFixed(1)} points**.`, '');
  lines.push(`![success per scenario](results/${suite}-success.svg)`, '');
  lines.push(`| scenario | upper bound | ${all.join(' | ')} |`, `|---|---|${all.map(() => '---').join('|')}|`);
  for (const r of results) {
    const best = bestStatic(r);
    lines.push(
      `| ${r.name}${r.dynamic ? ' (dynamic)' : ''} | ${pct(r.upperBound)} | ${all
        .map((p) => {
          const v = r.policies[p]?.successRatio ?? 0;
          const mark = statics.includes(p) ? (v === best ? ' **(best static)**' : '') : v >= best ? ' **▲**' : '';
          return `${pct(v)}${mark}`;
        })
        .join(' | ')} |`,
    );
  }
  lines.push('', '### Latency p95 (ms) and drops', '', `| scenario | ${all.join(' | ')} |`, `|---|${all.map(() => '---').join('|')}|`);
  for (const r of results) {
    lines.push(`| ${r.name} | ${all.map((p) => `${r.policies[p]?.p95Ms?.toFixed(1) ?? '-'} / ${r.policies[p]?.drops ?? 0}`).join(' | ')} |`);
  }
  lines.push('', '## Learning curves', '');
  for (const mode of ['aset', 'aset-direct']) lines.push(`![${mode} learning curve](../${relative(REPO_ROOT, (checkpoints[mode] as string).replace(/\.json$/, '.curve.svg'))})`, '');
  writeFileSync(join(REPO_ROOT, 'docs', 'results.md'), `${lines.join('\n')}\n`);
  process.stderr.write(`wrote docs/results.md and docs/results/${suite}-success.svg\n`);
}
