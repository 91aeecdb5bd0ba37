import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { checkpointPath, formatPercent, loadInputs, positiveInt, positiveNumber, seed, checkpointsOption } from '@aset/command-line';
import { POLICY_NAMES, agentModeOf, isPolicyName } from '@aset/scheduling';
import { failureExitCode, onInterrupt } from '@aset/testbed';
import { CHAOS_FAULTS, chaosFaultsNamed } from './chaos.catalog.js';
import { runChaos, type ChaosReport } from './chaos.runner.js';

const program = new Command('chaos')
  .description(
    'Inject one fault per live run into the testbed (real processes, a private nats-server and PostgreSQL) and check that every query still ends in exactly one ' +
      'terminal record, nothing is lost or duplicated, every service recovers on its own, and the success ratio outside the fault window stays within 5 points of a ' +
      `fault-free run of the same seed. Faults: ${CHAOS_FAULTS.map((f) => f.name).join(', ')} (docs/reliability.md).`,
  )
  .option('--scenario <name|file>', 'scenario name under scenarios/ or a YAML file', 'demo')
  .option('--policy <name>', `scheduling policy, any of: ${POLICY_NAMES.join(', ')}`, 'aset-direct')
  .addOption(checkpointsOption())
  .option('--faults <names>', 'comma-separated faults to inject (default: all)')
  .option('--queries <n>', 'measured queries per run (after the scenario\'s warm-up queries)', positiveInt('--queries'), 2400)
  .option('--seed <n>', "workload seed, an integer 0-4294967295 (default: the scenario's)", seed('--seed'))
  .option('--fault-at <s>', "second of each run's scenario clock when the fault strikes", positiveNumber('--fault-at'), 10)
  .option('--reply-timeout-ms <ms>', 'how long the generator waits for a reply before recording timed_out', positiveInt('--reply-timeout-ms'), 2000)
  .option('--keep', 'keep the logs and server data (printed at the end) instead of deleting them', false)
  .option('--json', 'print one JSON object as the last line', false)
  .parse();

const opts = program.opts<{ scenario: string; policy: string; checkpoints: string; faults?: string; queries: number; seed?: number; faultAt: number; replyTimeoutMs: number; keep: boolean; json: boolean }>();
const say = (m: string) => (opts.json ? process.stderr : process.stdout).write(`chaos: ${m}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'aset-chaos-'));
// As root, embedded PostgreSQL runs as the postgres user, which must reach its data directory in here.
chmodSync(workDir, 0o755);
const cleanUp = async () => {
  if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
};
onInterrupt(cleanUp);

try {
  const faults = chaosFaultsNamed(opts.faults);
  if (!isPolicyName(opts.policy)) throw new Error(`--policy: unknown policy "${opts.policy}"; expected one of: ${POLICY_NAMES.join(', ')}`);
  const { scenario } = loadInputs(opts.scenario);
  const mode = agentModeOf(opts.policy);
  const schedulerEnv: Record<string, string> = {};
  if (mode) {
    const checkpoint = checkpointPath(opts.scenario, mode, resolve(opts.checkpoints));
    if (!existsSync(checkpoint)) throw new Error(`--policy ${opts.policy} needs its checkpoint ${checkpoint}: train it with npm run train -- --scenario ${opts.scenario} --mode ${mode}, or pick a static policy`);
    schedulerEnv['ASET_CHECKPOINT'] = checkpoint;
  }
  const report = await runChaos({
    faults,
    scenario: opts.scenario,
    policy: opts.policy,
    schedulerEnv,
    queries: opts.queries,
    seed: opts.seed ?? scenario.spec.workload.seed,
    faultAtSec: opts.faultAt,
    replyTimeoutMs: opts.replyTimeoutMs,
    workDir,
    say,
  });
  if (!opts.json) console.log(chaosTable(report));
  const failed = report.faults.filter((f) => f.lost > 0 || f.duplicated > 0 || !f.recovered || f.successOutsideWindow < f.baselineSuccess - 0.05);
  if (opts.keep) say(`logs and server data: ${workDir}`);
  await cleanUp();
  if (opts.json) console.log(JSON.stringify(report));
  if (failed.length > 0) {
    say(`FAILED: ${failed.map((f) => f.name).join(', ')}`);
    process.exitCode = 1;
  }
} catch (e) {
  const code = failureExitCode();
  if (code !== 130) console.error(`chaos failed: ${e instanceof Error ? e.message : String(e)}${opts.keep ? ` (logs in ${workDir})` : ''}`);
  await cleanUp();
  process.exit(code);
}

function chaosTable(report: ChaosReport): string {
  const table = new Table({
    head: ['fault', 'queries', 'records', 'lost', 'duplicated', 'recovered', 'window s', 'success outside', 'fault-free', 'in window'],
    colAligns: ['left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (const f of report.faults) {
    table.push([f.name, f.queries, f.terminalRecords, f.lost, f.duplicated, f.recovered ? 'yes' : 'NO', `${f.windowSec[0]}-${f.windowSec[1]}`, formatPercent(f.successOutsideWindow), formatPercent(f.baselineSuccess), `${formatPercent(f.inWindow.success)} of ${f.inWindow.queries}`]);
  }
  return `Chaos on scenario ${report.scenario}, policy ${report.policy}, seed ${report.seed}, ${report.queriesPerRun} queries per run, each fault at ${report.faultAtSec} s (fault-free: ${report.baselines.map((b) => `${formatPercent(b.success)} with ${b.schedulerReplicas} scheduler${b.schedulerReplicas === 1 ? '' : 's'}`).join(', ')}):\n${table.toString()}`;
}
