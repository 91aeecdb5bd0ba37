/**
 * Simulator benchmark, one thread: simulated queries per wall-clock second of
 * - a static policy (`--policy`) on the ISP-scale scenario (`--scenario`) as it is;
 * - the same with dynamic batching on every hosted variant (`--batch`, `--batch-delay-ms`), so the
 *   batching path (per-variant queues, BATCH_READY events) is what runs;
 * - `aset-direct` (its Q-network evaluated per query, shield on) on a scenario it has a checkpoint
 *   for (`--aset-scenario`, `checkpoints/<name, slashes as dashes>.aset-direct.json`).
 * Each figure is the median over `--repeats` timed runs (seeds seed..seed+repeats-1) after one
 * untimed warm-up run (JIT). Each of the three runs in its own process (`--only`), as a simulation
 * does: in one process the event loop would see every policy and queue kind, and V8 would compile
 * it for all of them. Targets: 1M queries/s for the static policy, batching included, and 200k for
 * aset-direct. Last stdout line: one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { checkpointPath, loadInputs, nonNegativeNumber, positiveInt, runCommand } from '@aset/command-line';
import { MAX_BATCH_SIZE } from '@aset/model-zoo';
import { withBatching } from '@aset/scenario';
import { PlacementCatalog, asetAgentsOf, readAsetCheckpoint } from '@aset/scheduling';
import { simulatePolicy } from '@aset/sim';

const program = new Command('bench:sim')
  .description('Simulated queries per second on one thread: a static policy on the ISP-scale scenario without and with dynamic batching, and aset-direct. Last stdout line: one JSON object.')
  .option('--scenario <name|file>', 'scenario of the static policy', 'isp')
  .option('--policy <name>', 'static policy', 'closest')
  .option('--queries <n>', 'queries per static run', positiveInt('--queries'), 2_000_000)
  .option('--batch <n>', `maxBatchSize of every variant in the batched runs (at most ${MAX_BATCH_SIZE})`, positiveInt('--batch'), MAX_BATCH_SIZE)
  .option('--batch-delay-ms <ms>', 'maxQueueDelayMs of every variant in the batched runs', nonNegativeNumber('--batch-delay-ms'), 1)
  .option('--aset-scenario <name>', 'scenario of the aset-direct runs (needs its checkpoint as npm run train names it: checkpoints/<name, slashes as dashes>.aset-direct.json, e.g. suite-base.aset-direct.json)', 'suite/base')
  .option('--aset-queries <n>', 'queries per aset-direct run', positiveInt('--aset-queries'), 300_000)
  .option('--checkpoints <dir>', 'folder of the checkpoints', undefined)
  .option('--repeats <n>', 'timed runs of each (median reported)', positiveInt('--repeats'), 5)
  .addOption(new Option('--only <case>', 'run one case in this process and print its rates (what the bench runs in each child)').choices(['static', 'batched', 'asetDirect']).hideHelp())
  .parse();
const opts = program.opts<{ scenario: string; policy: string; queries: number; batch: number; batchDelayMs: number; asetScenario: string; asetQueries: number; checkpoints?: string; repeats: number; only?: Case }>();
type Case = 'static' | 'batched' | 'asetDirect';
const CASES: readonly Case[] = ['static', 'batched', 'asetDirect'];

const STATIC_TARGET = 1_000_000;
const ASET_DIRECT_TARGET = 200_000;
/** Published figure for PureEdgeSim, for reference (tasks simulated per second). */
const PURE_EDGE_SIM = 63_000;

const say = (m: string) => process.stderr.write(`bench:sim: ${m}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

await runCommand('bench:sim', () => {
  if (opts.batch > MAX_BATCH_SIZE) throw new Error(`--batch: ${opts.batch} is past the largest profiled batch size, ${MAX_BATCH_SIZE}`);
  if (opts.only) {
    console.log(JSON.stringify(runCase(opts.only)));
    return;
  }
  const results = {} as Record<Case, { rates: number[]; successRatio: number; label: string }>;
  for (const c of CASES) {
    const args = process.argv.slice(2).filter((a, k, all) => a !== '--only' && all[k - 1] !== '--only');
    const out = execFileSync(process.execPath, [process.argv[1] as string, ...args, '--only', c], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    results[c] = JSON.parse(out.trim().split('\n').at(-1) as string) as (typeof results)[Case];
  }
  const staticRate = median(results.static.rates);
  const batchedRate = median(results.batched.rates);
  const asetRate = median(results.asetDirect.rates);
  console.log(
    JSON.stringify({
      bench: 'sim',
      scenario: results.static.label,
      policy: opts.policy,
      queriesPerSecond: Math.round(staticRate),
      minQueriesPerSecond: Math.round(Math.min(...results.static.rates)),
      maxQueriesPerSecond: Math.round(Math.max(...results.static.rates)),
      batchedQueriesPerSecond: Math.round(batchedRate),
      batchedVsUnbatched: Number((batchedRate / staticRate).toFixed(3)),
      batching: { maxBatchSize: opts.batch, maxQueueDelayMs: opts.batchDelayMs },
      asetDirectScenario: results.asetDirect.label,
      asetDirectQueriesPerSecond: Math.round(asetRate),
      queriesPerRepeat: opts.queries,
      asetQueriesPerRepeat: opts.asetQueries,
      repeats: opts.repeats,
      successRatio: { static: results.static.successRatio, batched: results.batched.successRatio, asetDirect: results.asetDirect.successRatio },
      target: STATIC_TARGET,
      ratioToTarget: Number((Math.min(staticRate, batchedRate) / STATIC_TARGET).toFixed(3)),
      asetDirectTarget: ASET_DIRECT_TARGET,
      asetDirectRatioToTarget: Number((asetRate / ASET_DIRECT_TARGET).toFixed(3)),
      ratioToPureEdgeSim: Number((staticRate / PURE_EDGE_SIM).toFixed(1)),
    }),
  );
});

/** One case in this process: an untimed warm-up run, then `--repeats` timed runs. */
function runCase(c: Case): { rates: number[]; successRatio: number; label: string } {
  const t0 = performance.now();
  const name = c === 'asetDirect' ? opts.asetScenario : opts.scenario;
  const inputs = loadInputs(name);
  const zoo = inputs.zoo;
  const scenario = c === 'batched' ? withBatching(inputs.scenario, { maxBatchSize: opts.batch, maxQueueDelayMs: opts.batchDelayMs }) : inputs.scenario;
  // One catalog for every run, as an experiment shares one over its runs of a scenario.
  const catalog = new PlacementCatalog(scenario, zoo);
  let agents;
  if (c === 'asetDirect') {
    const checkpoint = checkpointPath(name, 'aset-direct', opts.checkpoints);
    if (!existsSync(checkpoint)) throw new Error(`aset-direct needs its checkpoint ${checkpoint}: run npm run train -- --scenario ${name} --mode aset-direct, or pick --aset-scenario`);
    agents = asetAgentsOf(readAsetCheckpoint(checkpoint), checkpoint, scenario, catalog);
  }
  const policy = c === 'asetDirect' ? 'aset-direct' : opts.policy;
  const queries = c === 'asetDirect' ? opts.asetQueries : opts.queries;
  const seed = scenario.spec.workload.seed;
  say(`${c}: ${scenario.name}, ${scenario.clusters.length} clusters, ${scenario.spec.workload.arrivals.length} arrival streams, ${policy} (loaded in ${(performance.now() - t0).toFixed(0)} ms)`);
  simulatePolicy(scenario, zoo, policy, { seed, queries: Math.min(200_000, queries), warmupQueries: 0, catalog }, agents); // warm-up (JIT)
  const rates: number[] = [];
  let successRatio = 0;
  for (let i = 0; i < opts.repeats; i++) {
    const r = simulatePolicy(scenario, zoo, policy, { seed: seed + i, queries, warmupQueries: 0, catalog }, agents);
    const rate = (r.simulatedQueries / r.wallMs) * 1000;
    rates.push(rate);
    successRatio = r.summary.successRatio;
    say(`${c}: repeat ${i + 1}/${opts.repeats}: ${Math.round(rate).toLocaleString('en')} queries/s (success ${(successRatio * 100).toFixed(1)}%)`);
  }
  return { rates, successRatio, label: scenario.name };
}
