import { Command, InvalidArgumentError, Option } from 'commander';
import Table from 'cli-table3';
import { existsSync } from 'node:fs';
import { DEFAULT_SAFETY_TIERS, HEURISTIC_POLICY_NAMES, POLICY_NAMES, PlacementCatalog, agentModeOf, asetAgentsOf, readAsetCheckpoint, parseSafetyTiers, type AsetAgents } from '@aset/scheduling';
import { simulatePolicy, toQueryRecord, type PolicyRun } from '@aset/sim';
import { RunOutputDirectory, checkpointPath, checkpointRef, directory, loadInputs, nonNegativeInt, positiveInt, positiveNumber, resolvedScenario, messagingOverhead, policyNames, seed, checkpointsOption } from '@aset/command-line';

const program = new Command('sim')
  .description('Simulate scheduling policies over a scenario (same policies, scenario files and zoo profiles as the live testbed).')
  .option('--scenario <name|file>', 'scenario name under scenarios/ or a YAML file', 'demo')
  .addOption(
    new Option(
      '--policies <names|all>',
      'comma-separated registered policies, in order, or all: every heuristic (static policies included), and aset, aset-direct and aset-direct-unshielded when their checkpoints exist (an ASET policy named here needs its checkpoint)',
    )
      .argParser(policyNames('--policies', POLICY_NAMES, { all: true }))
      .default(['closest'], 'closest'),
  )
  .addOption(checkpointsOption())
  .option('--agents-from <scenario>', 'load the ASET checkpoints trained for this scenario (default: --scenario; suite/base for the standard suite)')
  .option('--queries <n>', "measured queries (default: the scenario's)", positiveInt('--queries'))
  .option('--warmup <n>', "warm-up queries (default: the scenario's)", nonNegativeInt('--warmup'))
  .option('--seed <n>', "seed, an integer 0-4294967295 (default: the scenario's workload.seed)", seed('--seed'))
  .option('--rate-scale <x>', 'multiply every arrival rate', positiveNumber('--rate-scale'), 1)
  .addOption(new Option('--observation <mode>', 'what policies see: heartbeat snapshots (as live) or the exact state').choices(['heartbeat', 'exact']).default('heartbeat'))
  .option('--heartbeat-ms <ms>', 'heartbeat period for --observation heartbeat', positiveNumber('--heartbeat-ms'), 500)
  .addOption(
    new Option('--overhead-ms <request,reply|ms>', "the live testbed's messaging time per answered query, ms (validate:sim prints it): request and reply, or one number for the whole reply path")
      .argParser(messagingOverhead('--overhead-ms'))
      .default({ request: 0, reply: 0 }, '0,0'),
  )
  .addOption(
    new Option('--safety-tiers <sigmas|off>', 'aset-direct safety shield: off, or comma-separated jitter sigmas')
      .argParser((v) => {
        try {
          return parseSafetyTiers(v);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      })
      .default(DEFAULT_SAFETY_TIERS, DEFAULT_SAFETY_TIERS.join(',')),
  )
  .option('--admission', "drop at once, with DEADLINE_UNREACHABLE, a query no live cluster can answer by its deadline (the live scheduler's ADMISSION=on)", false)
  .option('--json', 'print one JSON object instead of a table', false)
  .option('--out <dir>', 'also write research outputs here: queries.<policy>.csv (one row per query, warm-up included) and run.json (resolved scenario, seed, policies and checkpoint hashes, settings, code version, results)', directory('--out'))
  .parse();

type Options = {
  checkpoints: string;
  agentsFrom?: string;
  scenario: string;
  policies: string[] | 'all';
  queries?: number;
  warmup?: number;
  seed?: number;
  rateScale: number;
  observation: 'heartbeat' | 'exact';
  heartbeatMs: number;
  overheadMs: { request: number; reply: number };
  safetyTiers: readonly number[];
  admission: boolean;
  json: boolean;
  out?: string;
};
const opts = program.opts<Options>();

try {
  const { scenario, zoo } = loadInputs(opts.scenario);
  const workload = scenario.spec.workload;
  const settings = {
    seed: opts.seed ?? workload.seed,
    queries: opts.queries ?? workload.queries,
    warmupQueries: opts.warmup ?? workload.warmupQueries,
    rateScale: opts.rateScale,
    observation: opts.observation === 'exact' ? ('exact' as const) : { heartbeatMs: opts.heartbeatMs },
    overheadMs: opts.overheadMs,
    admission: opts.admission,
  };
  const catalog = new PlacementCatalog(scenario, zoo);
  const checkpoint = (mode: string) => checkpointPath(opts.agentsFrom ?? opts.scenario, mode, opts.checkpoints);
  const agents: AsetAgents = {};
  const asked = opts.policies === 'all' ? undefined : opts.policies;
  const all = asked === undefined;
  const needed = new Set((asked ?? []).flatMap((p) => agentModeOf(p) ?? []));
  for (const mode of ['aset', 'aset-direct'] as const) {
    const file = checkpoint(mode);
    if ((all || needed.has(mode)) && existsSync(file)) Object.assign(agents, asetAgentsOf(readAsetCheckpoint(file), file, scenario, catalog, { safetyTiers: opts.safetyTiers }));
    else if (needed.has(mode)) {
      const needing = (asked ?? []).filter((p) => agentModeOf(p) === mode).join(', ');
      throw new Error(`${needing} needs its checkpoint ${file}: run npm run train -- --scenario ${opts.agentsFrom ?? opts.scenario} --mode ${mode}, or name trained agents with --agents-from`);
    }
  }
  const policies = asked ?? [...HEURISTIC_POLICY_NAMES, ...(agents.aset ? ['aset'] : []), ...(agents.asetDirect ? ['aset-direct', 'aset-direct-unshielded'] : [])];
  const runs: PolicyRun[] = [];
  const output = opts.out === undefined ? undefined : new RunOutputDirectory(opts.out);
  const runIdOf = (policy: string) => `sim-${policy}-${settings.seed}`;
  for (const policy of policies) {
    if (!opts.json) process.stderr.write(`simulating ${policy} over ${settings.queries} queries ...\n`);
    const csv = output?.queryCsv(policy);
    const runId = runIdOf(policy);
    try {
      runs.push(simulatePolicy(scenario, zoo, policy, { ...settings, catalog }, agents, csv && { onRecord: (r) => csv.write(toQueryRecord(r, runId, scenario)) }));
    } finally {
      csv?.close();
    }
  }
  const upperBound = runs[0]?.upperBound ?? 0;
  if (output) {
    const file = output.writeRun('sim', {
      scenario: resolvedScenario(scenario),
      seed: settings.seed,
      settings: { ...settings, observation: opts.observation, safetyTiers: opts.safetyTiers },
      policies: runs.map((r) => {
        const mode = agentModeOf(r.policy);
        return { policy: r.policy, runId: runIdOf(r.policy), queriesCsv: `queries.${r.policy}.csv`, ...(mode ? { checkpoint: checkpointRef(checkpoint(mode)) } : {}), summary: r.summary };
      }),
      upperBound,
    });
    if (!opts.json) process.stderr.write(`wrote ${file} and ${runs.length} per-query CSV file(s) in ${output.dir}\n`);
  }
  if (opts.json) {
    const result = {
      scenario: scenario.name,
      policies: Object.fromEntries(
        runs.map((r) => [r.policy, { successRatio: r.summary.successRatio, p50Ms: r.summary.p50Ms, p95Ms: r.summary.p95Ms, p99Ms: r.summary.p99Ms, drops: r.summary.drops }]),
      ),
      upperBound,
    };
    console.log(JSON.stringify(result));
  } else {
    const table = new Table({
      head: ['policy', 'queries', 'success', 'dropped', 'timed out', 'p50 ms', 'p95 ms', 'p99 ms', 'sim queries/s'],
      colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      style: { head: [], border: [] },
    });
    const ms = (v: number | null) => (v === null ? '-' : v.toFixed(2));
    for (const r of runs) {
      const s = r.summary;
      table.push([r.policy, s.queries, `${(s.successRatio * 100).toFixed(1)}%`, s.drops, s.timedOut, ms(s.p50Ms), ms(s.p95Ms), ms(s.p99Ms), Math.round((r.simulatedQueries / r.wallMs) * 1000).toLocaleString('en')]);
    }
    console.log(`scenario ${scenario.name} (${scenario.origin}), seed ${settings.seed}, rate x${settings.rateScale}, observation ${opts.observation}`);
    console.log(table.toString());
    console.log(`upper bound (no-contention oracle): ${(upperBound * 100).toFixed(1)}%`);
  }
} catch (e) {
  console.error(`sim failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

