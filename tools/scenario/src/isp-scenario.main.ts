import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { identifier, inRepository, integerAtLeast, seed } from '@aset/command-line';
import { readZoo, type ModelZoo } from '@aset/model-zoo';
import { ISP_DEFAULTS, generateIspScenario, readScenarioFile, renderScenarioYaml, type ScenarioInput, type Tier } from '@aset/scenario';
import { REPO_ROOT, SCENARIO_SCHEMA_FILE } from './scenario-schema.export.js';

const DEFAULT_OUT = join(REPO_ROOT, 'scenarios/isp.yaml');
const MANIFEST = join(REPO_ROOT, 'models/manifest.json');

const program = new Command('scenario:isp')
  .description(
    'Generate an ISP-scale scenario (cloud regions > metros > cell sites, dense link matrix, Poisson workload), seeded, ' +
      'write it as YAML and check that it parses. Model and sources: docs/scenarios.md, "ISP-scale generator".',
  )
  .option('--clusters <n>', 'clusters in total, all tiers (at least 3 per region)', integerAtLeast('--clusters', 3), ISP_DEFAULTS.clusters)
  .option('--sources <n>', 'sources (access points / aggregation areas)', integerAtLeast('--sources', 1), ISP_DEFAULTS.sources)
  .option('--regions <n>', 'cloud regions', integerAtLeast('--regions', 1), ISP_DEFAULTS.regions)
  .option('--seed <n>', 'seed of every draw, and the workload seed, an integer 0-4294967295', seed('--seed'), 1)
  .option('--name <id>', 'scenario name (1-64 characters of [A-Za-z0-9_-])', identifier('--name'), ISP_DEFAULTS.name)
  .addOption(inRepository(new Option('--out <file>', 'YAML file to write'), 'scenarios/isp.yaml'))
  .parse();

const opts = program.opts<{ clusters: number; sources: number; regions: number; seed: number; name: string; out: string }>();
const out = resolve(opts.out);
const say = (m: string) => console.log(`scenario:isp: ${m}`);

let scenario: ScenarioInput;
try {
  scenario = generateIspScenario({ seed: opts.seed, clusters: opts.clusters, sources: opts.sources, regions: opts.regions, name: opts.name });
} catch (e) {
  console.error(`scenario:isp: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}

try {
  const command = [
    'npm run scenario:isp --',
    `--clusters ${opts.clusters} --sources ${opts.sources} --regions ${opts.regions} --seed ${opts.seed} --name ${opts.name}`,
    ...(out === DEFAULT_OUT ? [] : [`--out ${shown(out)}`]),
  ].join(' ');
  let schemaRef = relative(dirname(out), SCENARIO_SCHEMA_FILE);
  if (!schemaRef.startsWith('.') && !schemaRef.startsWith('/')) schemaRef = `./${schemaRef}`;
  const text = renderScenarioYaml(scenario, [
    `yaml-language-server: $schema=${schemaRef}`,
    `ISP-scale scenario, generated with seed ${opts.seed} by:`,
    `  ${command}`,
    '(tools/scenario/src/isp-scenario.main.ts; generator: libs/scenario/src/isp-topology.generator.ts).',
    'Do not edit by hand: the same command and seed regenerate this file byte for byte.',
    'The model and the sources of its RTT and bandwidth ranges: docs/scenarios.md, "ISP-scale generator".',
  ]);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  const bytes = Buffer.byteLength(text);

  // Re-read what was written, as services will: with the zoo binding when the manifest has every bound variant.
  const bound = [...new Set(scenario.clusters.flatMap((c) => c.variants))];
  let zoo: ModelZoo | undefined;
  try {
    zoo = readZoo(MANIFEST);
    const missing = bound.filter((v) => !zoo?.variant(v));
    if (missing.length > 0) {
      console.warn(`scenario:isp: warning: ${relative(REPO_ROOT, MANIFEST)} lacks ${missing.join(', ')}; validating without the zoo binding`);
      zoo = undefined;
    }
  } catch (e) {
    console.warn(`scenario:isp: warning: cannot read the zoo (${e instanceof Error ? e.message : String(e)}); validating without the zoo binding`);
    zoo = undefined;
  }
  const started = performance.now();
  const parsed = readScenarioFile(out, zoo ? { zoo } : {});
  const parseSec = (performance.now() - started) / 1000;

  const tiers: Record<Tier, number> = { cloud: 0, 'near-edge': 0, 'far-edge': 0 };
  for (const c of parsed.clusters) tiers[c.tier]++;
  const arrivals = parsed.spec.workload.arrivals;
  const rate = arrivals.reduce((sum, a) => sum + (a.process.kind === 'poisson' ? a.process.ratePerSec : 0), 0);
  say(
    `wrote ${shown(out)} (${bytes} bytes, ${(bytes / 1e6).toFixed(2)} MB): ` +
      `clusters ${tiers.cloud} cloud / ${tiers['near-edge']} near-edge / ${tiers['far-edge']} far-edge, ${parsed.sources.length} sources, ` +
      `${arrivals.length} streams, ${rate.toFixed(0)} queries/s in total; readScenarioFile ${parseSec.toFixed(2)} s ` +
      `(${zoo ? 'zoo binding checked' : 'without the zoo'})`,
  );
} catch (e) {
  console.error(`scenario:isp failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

/** A path relative to the repository root when inside it (npm scripts run there), else absolute. */
function shown(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
