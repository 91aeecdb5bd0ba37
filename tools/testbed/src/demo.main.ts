import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { policyNames, positiveInt, positiveNumber, seed, checkpointsOption } from '@aset/command-line';
import { POLICY_NAMES } from '@aset/scheduling';
import { REPO_ROOT, SITE_NETWORK_MODES, Testbed, checkSiteLayout, ensureDatabase, farEdgeSites, failureExitCode, faultSteps, onInterrupt, providePostgres, readFaultPlan, readSiteLayout, type AppliedFault, type EdgeSite, type SiteNetworkMode, type HostUsage } from '@aset/testbed';
import { planDemo } from './demo.plan.js';
import { comparisonTable, type DemoRow } from './summary.table.js';

const program = new Command('demo')
  .description(
    'Run the live testbed end to end (all four services, real NATS, Postgres and ONNX) and compare policies on the same seeded workload. ' +
      'By default: the best static policy for the scenario (as the simulator ranks them on that workload), aset-direct and aset.',
  )
  .option('--scenario <name|file>', 'scenario name under scenarios/ or a YAML file', 'demo')
  .option('--policies <names>', `comma-separated policies, run in this order (default: the best static policy, aset-direct, aset); any of: ${POLICY_NAMES.join(', ')}`, policyNames('--policies', POLICY_NAMES))
  .addOption(checkpointsOption())
  .option('--agents-from <scenario>', 'load the ASET checkpoints trained for this scenario (default: --scenario)')
  .option('--queries <n>', "measured queries per policy (default: the scenario's)", positiveInt('--queries'))
  .option('--seed <n>', "workload seed, an integer 0-4294967295 (default: the scenario's)", seed('--seed'))
  .option('--rate-scale <x>', 'multiply every arrival rate', positiveNumber('--rate-scale'))
  .option('--faults <file>', 'fault plan (YAML or JSON): kill, pause, resume or restart services at given seconds of each run (docs/emulation.md)')
  .option('--sites <far-edge|file>', 'run multi-site: a hub nats-server and a leaf node per edge site (infra/nats/), each site with its workers and a generator for its sources; `far-edge` makes one site per far-edge cluster, a YAML/JSON file lists sites: [{ name, clusters, sources }] (docs/emulation.md)')
  .option('--clusters-per-worker <n>', 'clusters hosted by each worker process (CLUSTER_IDS); large scenarios need fewer processes than clusters', positiveInt('--clusters-per-worker'), 1)
  .addOption(new Option('--site-network <mode>', 'with --sites: netns (a network namespace per site, needs root), loopback, or auto (netns where possible)').choices(SITE_NETWORK_MODES).default('auto'))
  .option('--json', 'print one JSON object as the last line', false)
  .option('--keep-logs', 'print where the service logs are even on success', false)
  .parse();

const opts = program.opts<{
  scenario: string;
  policies?: string[];
  checkpoints: string;
  agentsFrom?: string;
  queries?: number;
  seed?: number;
  rateScale?: number;
  faults?: string;
  sites?: string;
  siteNetwork: SiteNetworkMode;
  clustersPerWorker: number;
  json: boolean;
  keepLogs: boolean;
}>();
const say = (m: string) => (opts.json ? process.stderr : process.stdout).write(`demo: ${m}\n`);
const startedAt = Date.now();
const stack: (() => Promise<void>)[] = [];
let stopping: Promise<void> | undefined;
/** Stops what was started, newest first. Idempotent: the interrupt handler and the main flow share one pass. */
const stopAll = (): Promise<void> =>
  (stopping ??= (async () => {
    for (const stop of stack.splice(0).reverse()) await stop().catch((e: unknown) => console.error(`demo: stop failed: ${String(e)}`));
  })());
onInterrupt(stopAll);

try {
  // Everything that can be refused is checked before a service starts.
  const plan = planDemo({
    scenario: opts.scenario,
    ...(opts.policies !== undefined ? { policies: opts.policies } : {}),
    checkpoints: resolve(opts.checkpoints),
    ...(opts.agentsFrom ? { agentsFrom: opts.agentsFrom } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.queries !== undefined ? { queries: opts.queries } : {}),
    ...(opts.rateScale ? { rateScale: opts.rateScale } : {}),
  });
  const { seed, queries } = plan;
  const faults = opts.faults ? readFaultPlan(resolve(opts.faults)) : undefined;
  const sites: EdgeSite[] | undefined = opts.sites === undefined ? undefined : opts.sites === 'far-edge' ? farEdgeSites(plan.scenario) : readSiteLayout(resolve(opts.sites));
  if (sites) checkSiteLayout(plan.scenario, sites);
  if (!opts.policies) {
    const ranking = plan.staticRanking.map((r) => `${r.policy} ${(r.simSuccess * 100).toFixed(1)}%`).join(', ');
    say(`static policies in the simulator on this workload: ${ranking}`);
  }
  for (const s of plan.skipped) say(`${s.policy} left out: ${s.reason}`);
  const [first] = plan.runs;
  if (!first) throw new Error('nothing to run');

  const stateDir = join(REPO_ROOT, '.testbed');
  // NATS_URL is used as given (single site); otherwise the testbed runs its own hub (and a leaf
  // node per edge site) from infra/nats, with TLS and a NATS user per service.
  const natsUrl = sites ? undefined : process.env['NATS_URL'];
  const postgres = await providePostgres({ env: process.env['DATABASE_URL'], dataDir: join(stateDir, 'postgres'), say });
  stack.push(() => postgres.stop());
  // DATABASE_URL is used as given; the embedded server gets a database of its own.
  const databaseUrl = postgres.started ? await ensureDatabase(postgres.url, 'aset') : postgres.url;

  const testbed = await Testbed.start({
    scenario: opts.scenario,
    policy: first.policy,
    schedulerEnv: first.env,
    prefix: process.env['NATS_PREFIX'] ?? 'aset',
    ...(natsUrl ? { natsUrl } : { sites: { edge: sites ?? [], network: opts.siteNetwork } }),
    databaseUrl,
    clustersPerWorker: opts.clustersPerWorker,
    logDir: join(stateDir, 'logs', new Date().toISOString().replace(/[:.]/g, '-')),
    say,
  });
  stack.push(() => testbed.stop());
  // A plan naming a service the testbed lacks is refused before any run.
  if (faults) faultSteps(faults, testbed.services(), `fault plan ${opts.faults}`);

  const rows: (DemoRow & { runId: string; predictionAccuracy: number; host: HostUsage; faults: AppliedFault[] })[] = [];
  for (const [i, planned] of plan.runs.entries()) {
    if (i > 0) await testbed.usePolicy(planned.policy, planned.env);
    const runId = `demo-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
    say(`run ${runId}: scenario ${testbed.scenario.name}, policy ${planned.policy} (${planned.role}), ${queries} queries, seed ${seed}`);
    const report = await testbed.run({ runId, seed, queries, interactive: !opts.json, ...(opts.rateScale ? { rateScale: opts.rateScale } : {}), ...(faults ? { faults } : {}) });
    for (const f of report.faults) say(`fault at ${f.appliedAtSec.toFixed(2)} s (planned ${f.atSec} s): ${f.action} ${f.service}${f.error ? ` FAILED: ${f.error}` : ''}`);
    // Every run starts on a whole testbed: what the faults left killed or paused comes back.
    const healed = faults ? await testbed.heal() : [];
    if (healed.length > 0) say(`brought back after the run: ${healed.join(', ')}`);
    const summary = await testbed.waitIngested(runId);
    const live = summary.policies.find((p) => p.policy === planned.policy);
    if (!live) throw new Error(`the metrics store has no figures for policy ${planned.policy} in run ${runId}`);
    rows.push({ policy: planned.policy, role: planned.role, live, simSuccess: planned.simSuccess, runId, predictionAccuracy: report.predictionAccuracy, host: report.host, faults: report.faults });
    if (!report.host.representative) say(`run ${runId} (${planned.policy}) is NOT representative: ${report.host.reason}`);
  }

  if (!opts.json) {
    console.log(`\nLive runs on scenario ${testbed.scenario.name}, ${queries} measured queries each, workload seed ${seed} (figures from the metrics store: SQL over the stored query records, warm-up excluded; "sim success" is the simulator's on the same arrivals):`);
    console.log(comparisonTable(rows, plan.upperBound));
    const busy = rows.map((r) => `${r.policy} ${Math.round(r.host.meanBusy * 100)}% (highest ${Math.round(r.host.maxBusy * 100)}%)`).join(', ');
    console.log(`host CPU busy during each run, mean of 1 s windows over all ${rows[0]?.host.cores ?? '?'} cores: ${busy}`);
    const saturated = rows.filter((r) => !r.host.representative);
    if (saturated.length > 0) console.log(`NOT representative (${saturated.map((r) => r.policy).join(', ')}): the host was saturated, so those figures measure the host, not the scheduling; rerun on a quieter host`);
    if (!postgres.started) console.log(`records are in ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} (tables runs, queries), runs ${rows.map((r) => r.runId).join(', ')}`);
    if (opts.keepLogs) console.log(`service logs: ${testbed.options.logDir}`);
  }
  await stopAll();
  say(`done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; everything the demo started is stopped`);
  if (opts.json) {
    console.log(
      JSON.stringify({
        scenario: testbed.scenario.name,
        seed,
        queries,
        upperBound: plan.upperBound,
        staticRanking: plan.staticRanking,
        skipped: plan.skipped,
        runs: rows.map((r) => ({ ...r.live, role: r.role, runId: r.runId, simSuccess: r.simSuccess, predictionAccuracy: r.predictionAccuracy, host: r.host, ...(faults ? { faults: r.faults } : {}) })),
      }),
    );
  }
} catch (e) {
  const code = failureExitCode();
  if (code !== 130) console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  await stopAll();
  process.exit(code);
}
