/**
 * Load sweep, after Triton's perf_analyzer: runs one scenario and one policy at each offered rate
 * (queries/s: the scenario's arrival rates scaled so that their long-run total is that rate), in the
 * simulator (--sim) or on the live testbed, and prints per rate the latency percentiles of the
 * completed queries, the success ratio (SLO met), drops and time-outs, then the knee
 * (tools/testbed/src/sweep.curve.ts states the rule). --out writes sweep.csv and sweep.svg (latency
 * vs rate), and the research outputs of `sim --out`: one per-query CSV per rate and run.json; --compare adds an earlier sweep.csv's curves to the plot, e.g. the simulator's onto a
 * live sweep. Progress goes to stderr; with --json the last stdout line is one JSON object.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { RunOutputDirectory, checkpointPath, checkpointRef, directory, formatPercent, loadInputs, positiveInt, positiveNumberList, resolvedScenario, runCommand, seed, type QueryCsvWriter, checkpointsOption } from '@aset/command-line';
import { offeredRatePerSec, type Scenario } from '@aset/scenario';
import { POLICY_NAMES, PlacementCatalog, agentModeOf, asetAgentsOf, readAsetCheckpoint, type AsetAgents } from '@aset/scheduling';
import { simulatePolicy, toQueryRecord } from '@aset/sim';
import { Testbed, onInterrupt, provideTestbedServers, readStoredQueryRecords } from '@aset/testbed';
import { figureSvg } from '@aset/charts';
import { kneeOf, parseSweepCsv, sweepCsv, sweepFigure, type SweepPoint } from './sweep.curve.js';

const program = new Command('sweep')
  .description('Latency, success ratio, drops and time-outs of one scenario and policy at each offered rate, live or simulated; names the knee and writes the curve as CSV and SVG')
  .requiredOption('--scenario <name|file>', 'scenario name under scenarios/ or a YAML file')
  .addOption(new Option('--policy <name>', 'one policy; an ASET policy loads its checkpoint (--checkpoints, --agents-from)').choices(POLICY_NAMES).makeOptionMandatory())
  .addOption(checkpointsOption())
  .option('--agents-from <scenario>', 'load the ASET checkpoint trained for this scenario (default: --scenario)')
  .requiredOption('--rates <a,b,c>', 'offered rates, queries/s, comma-separated', positiveNumberList('--rates'))
  .option('--sim', 'run in the simulator instead of the live testbed', false)
  .option('--queries <n>', "measured queries per rate (default: the scenario's)", positiveInt('--queries'))
  .option('--seed <n>', "workload seed, an integer 0-4294967295 (default: the scenario's)", seed('--seed'))
  .option('--out <dir>', 'write sweep.csv and sweep.svg (latency vs rate) here, and queries.<sim|live>-<rate>.csv (one row per query) and run.json', directory('--out'))
  .option('--compare <csv>', "an earlier sweep.csv whose curves --out's plot also draws, labelled by mode")
  .option('--json', 'print one JSON object as the last line', false)
  .parse();

const opts = program.opts<{
  scenario: string;
  policy: string;
  checkpoints: string;
  agentsFrom?: string;
  rates: number[];
  sim: boolean;
  queries?: number;
  seed?: number;
  out?: string;
  compare?: string;
  json: boolean;
}>();
const say = (m: string) => process.stderr.write(`sweep: ${m}\n`);
const round = (x: number | null, digits = 2) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** What a sweep needs to run one rate, whatever runs it; `csv`, when given, receives every query of the rate. */
interface RateRunner {
  run(rate: number, rateScale: number, csv: QueryCsvWriter | undefined): Promise<SweepPoint & { runId: string }>;
  stop(): Promise<void>;
}

/** The ASET policy's checkpoint file, or undefined for a heuristic policy; throws naming the file and how to make it when it is missing. */
function checkpointOf(policy: string): string | undefined {
  const mode = agentModeOf(policy);
  if (!mode) return undefined;
  const file = checkpointPath(opts.agentsFrom ?? opts.scenario, mode, resolve(opts.checkpoints));
  if (!existsSync(file)) throw new Error(`${policy} needs its checkpoint ${file}: run npm run train -- --scenario ${opts.agentsFrom ?? opts.scenario} --mode ${mode}, or name trained agents with --agents-from`);
  return file;
}

function simRunner(scenario: Scenario, zoo: ReturnType<typeof loadInputs>['zoo'], seed: number, queries: number): RateRunner {
  const checkpoint = checkpointOf(opts.policy);
  const agents: AsetAgents | undefined = checkpoint ? asetAgentsOf(readAsetCheckpoint(checkpoint), checkpoint, scenario, new PlacementCatalog(scenario, zoo)) : undefined;
  const workload = scenario.spec.workload;
  return {
    async run(rate, rateScale, csv) {
      const runId = `sweep-sim-${rate}-${seed}`;
      // The simulator's defaults (npm run sim): heartbeat snapshots every 500 ms, no admission, as the live scheduler's defaults.
      const { summary: s } = simulatePolicy(
        scenario,
        zoo,
        opts.policy,
        { seed, queries, warmupQueries: workload.warmupQueries, rateScale, observation: { heartbeatMs: 500 }, overheadMs: 0, admission: false },
        agents,
        csv && { onRecord: (r) => csv.write(toQueryRecord(r, runId, scenario)) },
      );
      return { runId, mode: 'sim', rate, p50Ms: round(s.p50Ms), p95Ms: round(s.p95Ms), p99Ms: round(s.p99Ms), success: round(s.successRatio, 4) as number, dropped: s.drops, timedOut: s.timedOut, queries: s.queries };
    },
    async stop() {},
  };
}

/**
 * One live testbed for every rate, as perf_analyzer measures one server across load levels: the
 * rates then differ in load alone, not in a fresh start's caches and connections, and a 2-core host
 * starts the services once rather than once per rate. Each rate waits until the previous one's
 * records are stored, so that it starts on a drained pipeline.
 */
async function liveRunner(seed: number, queries: number): Promise<RateRunner> {
  const state = mkdtempSync(join(tmpdir(), 'aset-sweep-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch((e: unknown) => say(`stop failed: ${String(e)}`));
  };
  onInterrupt(stop);
  try {
    const servers = await provideTestbedServers({ stateDir: state, say });
    stops.push(() => servers.stop());
    const { natsUrl, databaseUrl } = servers;
    const prefix = `aset_sweep_${Date.now().toString(36)}`;
    const checkpoint = checkpointOf(opts.policy);
    const testbed = await Testbed.start({
      scenario: opts.scenario,
      policy: opts.policy,
      ...(checkpoint ? { schedulerEnv: { ASET_CHECKPOINT: checkpoint } } : {}),
      prefix,
      natsUrl,
      databaseUrl,
      logDir: join(state, 'logs'),
      readyTimeoutMs: 240_000,
      say: () => {},
    });
    stops.push(() => testbed.stop());
    say(`live testbed up (logs in ${join(state, 'logs')})`);
    return {
      async run(rate, rateScale, csv) {
        const runId = `sweep-${rate}-${Date.now().toString(36)}`;
        const report = await testbed.run({ runId, queries, seed, rateScale });
        await testbed.waitIngested(runId, 120_000);
        if (csv) for (const record of await readStoredQueryRecords(databaseUrl, runId)) csv.write(record);
        const s = report.summary;
        if (!report.host.representative) say(`${rate}/s: the host was saturated during this rate (not representative of the services alone)`);
        const percentile = (v: number) => (s.completed > 0 ? round(v) : null);
        return { runId, mode: 'live', rate, p50Ms: percentile(s.p50Ms), p95Ms: percentile(s.p95Ms), p99Ms: percentile(s.p99Ms), success: round(s.successRatio, 4) as number, dropped: s.dropped, timedOut: s.timedOut, queries: s.queries };
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

await runCommand('sweep', async () => {
  const { scenario, zoo } = loadInputs(opts.scenario);
  const compared = opts.compare ? parseSweepCsv(readFileSync(resolve(opts.compare), 'utf8'), opts.compare) : [];
  const offered = offeredRatePerSec(scenario);
  const seed = opts.seed ?? scenario.spec.workload.seed;
  const queries = opts.queries ?? scenario.spec.workload.queries;
  const mode = opts.sim ? 'sim' : 'live';
  say(`${scenario.name}: offers ${offered.toFixed(1)} queries/s at rate scale 1; policy ${opts.policy}, ${mode}, ${queries} queries per rate, seed ${seed}`);
  const runner = opts.sim ? simRunner(scenario, zoo, seed, queries) : await liveRunner(seed, queries);
  const points: SweepPoint[] = [];
  const runIds: string[] = [];
  const output = opts.out === undefined ? undefined : new RunOutputDirectory(opts.out);
  try {
    for (const rate of opts.rates) {
      const csv = output?.queryCsv(`${mode}-${rate}`);
      try {
        const { runId, ...point } = await runner.run(rate, rate / offered, csv);
        say(`${rate}/s: p99 ${point.p99Ms ?? '-'} ms, success ${formatPercent(point.success)}, dropped ${point.dropped}, timed out ${point.timedOut}`);
        points.push(point);
        runIds.push(runId);
      } finally {
        csv?.close();
      }
    }
  } finally {
    await runner.stop();
  }
  const knee = kneeOf(points);
  const kneeLine =
    knee.rate === null
      ? 'knee: none (nothing completed at the lowest rate)'
      : `knee: ${knee.rate} queries/s (${knee.brokenBy ? `${knee.brokenBy.rate}/s breaks the curve: ${knee.brokenBy.reason}` : 'no rate swept breaks the curve: sweep higher to find it'})`;
  if (opts.out && output) {
    writeFileSync(join(opts.out, 'sweep.csv'), sweepCsv(points));
    const figure = sweepFigure([...points, ...compared], `${scenario.name}, ${opts.policy}: latency vs offered rate`, { sloMs: scenario.applications.map((a) => a.slo.maxLatencyMs), kneeRate: knee.rate });
    writeFileSync(join(opts.out, 'sweep.svg'), await figureSvg(figure));
    const checkpoint = checkpointOf(opts.policy);
    output.writeRun('sweep', {
      scenario: resolvedScenario(scenario),
      seed,
      mode,
      policy: opts.policy,
      ...(checkpoint ? { checkpoint: checkpointRef(checkpoint) } : {}),
      queriesPerRate: queries,
      rates: points.map((p, i) => ({ ...p, runId: runIds[i], queriesCsv: `queries.${mode}-${p.rate}.csv` })),
      knee,
    });
    say(`wrote ${join(opts.out, 'sweep.csv')}, sweep.svg, run.json and ${points.length} per-query CSV file(s)`);
  }
  if (opts.json) {
    say(kneeLine);
    console.log(JSON.stringify({ scenario: scenario.name, policy: opts.policy, mode, seed, queriesPerRate: queries, points, knee }));
    return;
  }
  const table = new Table({
    head: ['rate /s', 'queries', 'p50 ms', 'p95 ms', 'p99 ms', 'success', 'dropped', 'timed out'],
    colAligns: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (const p of points) table.push([p.rate, p.queries, p.p50Ms ?? '-', p.p95Ms ?? '-', p.p99Ms ?? '-', formatPercent(p.success), p.dropped, p.timedOut]);
  console.log(`${scenario.name}, policy ${opts.policy}, ${mode}, seed ${seed}`);
  console.log(table.toString());
  console.log(kneeLine);
});
