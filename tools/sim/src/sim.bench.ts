import { Command } from 'commander';
import { simulatePolicy } from '@aset/sim';
import { loadInputs } from '@aset/command-line';

const program = new Command('bench:sim')
  .description('Simulated queries per second of one policy on the ISP-scale scenario (one thread). Last stdout line: one JSON object.')
  .option('--scenario <name|file>', 'scenario', 'isp')
  .option('--policy <name>', 'policy', 'closest')
  .option('--queries <n>', 'queries per repeat', (v) => Number(v), 2_000_000)
  .option('--repeats <n>', 'timed repeats (median reported)', (v) => Number(v), 5)
  .parse();
const opts = program.opts<{ scenario: string; policy: string; queries: number; repeats: number }>();

const TARGET = 1_000_000;
/** Published figure for PureEdgeSim, for reference (tasks simulated per second). */
const PURE_EDGE_SIM = 63_000;

try {
  const t0 = performance.now();
  const { scenario, zoo } = loadInputs(opts.scenario);
  const loadMs = performance.now() - t0;
  process.stderr.write(`bench:sim: ${scenario.name}: ${scenario.clusters.length} clusters, ${scenario.sources.length} sources, ${scenario.spec.workload.arrivals.length} arrival streams (loaded in ${loadMs.toFixed(0)} ms)\n`);
  const settings = { seed: scenario.spec.workload.seed, queries: opts.queries, warmupQueries: 0 };
  simulatePolicy(scenario, zoo, opts.policy, { ...settings, queries: Math.min(200_000, opts.queries) }); // warm-up (JIT)
  const rates: number[] = [];
  let last;
  for (let i = 0; i < opts.repeats; i++) {
    last = simulatePolicy(scenario, zoo, opts.policy, { ...settings, seed: settings.seed + i });
    rates.push((last.simulatedQueries / last.wallMs) * 1000);
    process.stderr.write(`bench:sim: repeat ${i + 1}/${opts.repeats}: ${Math.round(rates[i] as number).toLocaleString('en')} queries/s (success ${(last.summary.successRatio * 100).toFixed(1)}%)\n`);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)] as number;
  console.log(
    JSON.stringify({
      bench: 'sim',
      scenario: scenario.name,
      policy: opts.policy,
      queriesPerSecond: Math.round(median),
      minQueriesPerSecond: Math.round(rates[0] as number),
      maxQueriesPerSecond: Math.round(rates[rates.length - 1] as number),
      queriesPerRepeat: opts.queries,
      repeats: opts.repeats,
      clusters: scenario.clusters.length,
      sources: scenario.sources.length,
      streams: scenario.spec.workload.arrivals.length,
      target: TARGET,
      ratioToTarget: Number((median / TARGET).toFixed(3)),
      ratioToPureEdgeSim: Number((median / PURE_EDGE_SIM).toFixed(1)),
    }),
  );
} catch (e) {
  console.error(`bench:sim failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
