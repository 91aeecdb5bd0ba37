import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { SubjectSpace } from '@aset/contracts';
import Table from 'cli-table3';
import { PlacementCatalog, STATIC_POLICY_NAMES, asetAgentFromCheckpoint } from '@aset/scheduling';
import { simulatePolicy } from '@aset/sim';
import { Testbed, ensureDatabase, onInterrupt, provideNats, providePostgres, type ManagedService } from '@aset/testbed';
import { REPO_ROOT, loadInputs, scenarioPath } from './sim.inputs.js';

const program = new Command('validate:sim')
  .description('Run every static policy on the live testbed and in the simulator over the same arrivals, and compare success ratios.')
  .option('--scenario <name|file>', 'scenario', 'demo')
  .option('--policies <names>', 'comma-separated policies (default: every static policy; aset and aset-direct need their checkpoint, see --checkpoints)')
  .option('--checkpoints <dir>', 'folder with <scenario>.aset.json and <scenario>.aset-direct.json for the ASET policies', 'checkpoints')
  .option('--queries <n>', "measured queries per policy (default: the scenario's)", (v) => Number(v))
  .option('--target <points>', 'largest acceptable difference, percentage points', (v) => Number(v), 5)
  .parse();
const opts = program.opts<{ scenario: string; policies?: string; checkpoints: string; queries?: number; target: number }>();

/** Each policy's run has its own prefix; its records stream is not needed once the run is stored. */
async function deleteRecordStream(url: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    await (await jetstreamManager(nc)).streams.delete(new SubjectSpace(prefix).streamName('records'));
  } catch {
    // already gone
  } finally {
    await nc.close();
  }
}

const say = (m: string) => process.stderr.write(`validate:sim: ${m}\n`);
const stops: (() => Promise<void>)[] = [];
let stopping: Promise<void> | undefined;
const stopAll = (): Promise<void> =>
  (stopping ??= (async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  })());
onInterrupt(stopAll);

try {
  const { scenario, zoo } = loadInputs(opts.scenario);
  const workload = scenario.spec.workload;
  const queries = opts.queries ?? workload.queries;
  const policies = opts.policies ? opts.policies.split(',').map((p) => p.trim()) : STATIC_POLICY_NAMES;
  const state = mkdtempSync(join(tmpdir(), 'aset-validate-'));
  const nats: ManagedService = await provideNats({ env: process.env['NATS_URL'], dataDir: join(state, 'nats'), say });
  stops.push(() => nats.stop());
  const postgres = await providePostgres({ env: process.env['DATABASE_URL'], dataDir: join(REPO_ROOT, '.testbed', 'postgres'), say });
  stops.push(() => postgres.stop());
  const databaseUrl = postgres.started ? await ensureDatabase(postgres.url, 'aset') : postgres.url;

  const rows: { policy: string; live: number; sim: number; diff: number; liveP95: number | null; simP95: number | null }[] = [];
  for (const policy of policies) {
    say(`${policy}: live run of ${queries} queries ...`);
    const checkpoint = resolve(opts.checkpoints, `${scenario.name}.${policy}.json`);
    const asetEnv: Record<string, string> = policy === 'aset' || policy === 'aset-direct' ? { ASET_CHECKPOINT: checkpoint } : {};
    const prefix = `aset_validate_${Date.now().toString(36)}`;
    const testbed = await Testbed.start({
      scenario: scenarioPath(opts.scenario),
      policy,
      env: asetEnv,
      prefix,
      natsUrl: nats.url,
      databaseUrl,
      logDir: join(state, 'logs', policy),
      say: () => {},
    });
    const runId = `validate-${policy}-${Date.now().toString(36)}`;
    try {
      await testbed.run({ runId, queries, warmupQueries: workload.warmupQueries, seed: workload.seed });
      const live = (await testbed.waitIngested(runId)).policies[0];
      const agents = asetEnv['ASET_CHECKPOINT'] ? asetAgentFromCheckpoint(readFileSync(checkpoint, 'utf8'), checkpoint, scenario, new PlacementCatalog(scenario, zoo)) : undefined;
      const sim = simulatePolicy(scenario, zoo, policy, { seed: workload.seed, queries, warmupQueries: workload.warmupQueries }, agents);
      const liveRatio = live?.successRatio ?? 0;
      rows.push({ policy, live: liveRatio, sim: sim.summary.successRatio, diff: (sim.summary.successRatio - liveRatio) * 100, liveP95: live?.p95Ms ?? null, simP95: sim.summary.p95Ms });
    } finally {
      await testbed.stop();
      await deleteRecordStream(nats.url, prefix);
    }
  }
  await stopAll();

  const table = new Table({ head: ['policy', 'live success', 'sim success', 'diff (points)', 'live p95 ms', 'sim p95 ms'], style: { head: [], border: [] } });
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const ms = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  for (const r of rows) table.push([r.policy, pct(r.live), pct(r.sim), r.diff.toFixed(1), ms(r.liveP95), ms(r.simP95)]);
  console.log(`scenario ${scenario.name}, ${queries} measured queries per policy, seed ${workload.seed}`);
  console.log(table.toString());
  const worst = Math.max(...rows.map((r) => Math.abs(r.diff)));
  console.log(JSON.stringify({ scenario: scenario.name, queries, maxDiffPoints: Number(worst.toFixed(2)), target: opts.target, policies: Object.fromEntries(rows.map((r) => [r.policy, { live: r.live, sim: r.sim, diffPoints: Number(r.diff.toFixed(2)) }])) }));
  process.exit(worst <= opts.target ? 0 : 1);
} catch (e) {
  console.error(`validate:sim failed: ${e instanceof Error ? e.message : String(e)}`);
  await stopAll();
  process.exit(1);
}
