import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { positiveInt, positiveNumber } from '@aset/command-line';
import { POLICY_NAMES } from '@aset/scheduling';
import { REPO_ROOT, Testbed, ensureDatabase, failureExitCode, onInterrupt, provideNats, providePostgres, type ManagedService } from '@aset/testbed';
import { summaryTable } from './summary.table.js';

const program = new Command('demo')
  .description('Run a short live testbed run end to end (all four services, real NATS, Postgres and ONNX) and print its summary.')
  .option('--scenario <name|file>', 'scenario name under scenarios/ or a YAML file', 'demo')
  .addOption(new Option('--policy <name>', 'scheduling policy').choices(POLICY_NAMES).default('closest'))
  .option('--queries <n>', 'measured queries (default: the scenario\'s)', positiveInt('--queries'))
  .option('--rate-scale <x>', 'multiply every arrival rate', positiveNumber('--rate-scale'))
  .option('--keep-logs', 'print where the service logs are even on success', false)
  .parse();

const opts = program.opts<{ scenario: string; policy: string; queries?: number; rateScale?: number; keepLogs: boolean }>();
const say = (m: string) => console.log(`demo: ${m}`);
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
  const stateDir = join(REPO_ROOT, '.testbed');
  const nats: ManagedService = await provideNats({ env: process.env['NATS_URL'], dataDir: join(stateDir, 'nats'), say });
  stack.push(() => nats.stop());
  const postgres = await providePostgres({ env: process.env['DATABASE_URL'], dataDir: join(stateDir, 'postgres'), say });
  stack.push(() => postgres.stop());
  // DATABASE_URL is used as given; the embedded server gets a database of its own.
  const databaseUrl = postgres.started ? await ensureDatabase(postgres.url, 'aset') : postgres.url;

  const testbed = await Testbed.start({
    scenario: opts.scenario,
    policy: opts.policy,
    prefix: process.env['NATS_PREFIX'] ?? 'aset',
    natsUrl: nats.url,
    databaseUrl,
    logDir: join(stateDir, 'logs', new Date().toISOString().replace(/[:.]/g, '-')),
    say,
  });
  stack.push(() => testbed.stop());

  const runId = `demo-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${randomBytes(2).toString('hex')}`;
  say(`run ${runId}: scenario ${testbed.scenario.name}, policy ${opts.policy}`);
  const report = await testbed.run({ runId, interactive: true, ...(opts.queries ? { queries: opts.queries } : {}), ...(opts.rateScale ? { rateScale: opts.rateScale } : {}) });
  const summary = await testbed.waitIngested(runId);
  console.log(`\nSummary of run ${runId} from the metrics store (SQL over ${summary.storedQueries} stored query records, warm-up excluded):`);
  console.log(summaryTable(summary));
  console.log(`prediction accuracy of completed queries: ${(report.predictionAccuracy * 100).toFixed(1)}%`);
  if (!postgres.started) console.log(`records are in ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} (tables runs, queries)`);
  if (opts.keepLogs) console.log(`service logs: ${testbed.options.logDir}`);
  await stopAll();
  say(`done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; everything the demo started is stopped`);
} catch (e) {
  const code = failureExitCode();
  if (code !== 130) console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  await stopAll();
  process.exit(code);
}

