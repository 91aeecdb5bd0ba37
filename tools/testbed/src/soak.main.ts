import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadInputs, positiveInt, positiveNumber, seed } from '@aset/command-line';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { buildArrivalSchedule } from '@aset/workload';
import { POLICY_NAMES, PlacementCatalog, emulatedCapacity, isPolicyName } from '@aset/scheduling';
import { Testbed, ensureDatabase, failureExitCode, onInterrupt, processRssBytes, providePostgres, readServiceMetric } from '@aset/testbed';
import { judgeSoak, type RssSample } from './soak.verdict.js';

const program = new Command('soak')
  .description(
    'Run the live testbed for a long time at a steady load and check that it holds: every ASET service\'s resident memory (its mean over the first third after warm-up ' +
      'against its mean over the last third) grows less than 10%, the NATS server\'s being reported, the metrics store\'s JetStream backlog drains to 0, and every query has its record (docs/reliability.md). Not part of npm test.',
  )
  .option('--minutes <n>', 'how long the load runs', positiveNumber('--minutes'), 10)
  .option('--warmup-minutes <n>', 'memory is compared from this minute on, a number > 0 (the first minutes hold start-up growth)', positiveNumber('--warmup-minutes'), 2)
  .option('--scenario <name|file>', 'scenario name under scenarios/ or a YAML file: one application with Poisson arrivals, for --load (scenarios/overload.yaml by default)', 'overload')
  .option('--load <x>', "offered load as a share of the scenario's emulated capacity (its clusters' slots over the cheapest eligible variant's time)", positiveNumber('--load'), 0.7)
  .option('--rate-scale <x>', "instead of --load: multiply the scenario's arrival rates (for a scenario whose capacity is not one number, such as demo)", positiveNumber('--rate-scale'))
  .option('--policy <name>', `scheduling policy, any of: ${POLICY_NAMES.join(', ')} (round-robin fills every cluster; policies acting on 500 ms heartbeat snapshots herd)`, 'round-robin')
  .option('--seed <n>', "workload seed, an integer 0-4294967295 (default: the scenario's)", seed('--seed'))
  .option('--sample-sec <n>', 'seconds between memory and backlog samples', positiveInt('--sample-sec'), 10)
  .option('--series <file>', 'also write every sample (seconds, service, resident bytes, V8 heap bytes of the Node services) to this CSV file')
  .option('--json', 'print one JSON object as the last line', false)
  .parse();

const opts = program.opts<{ minutes: number; warmupMinutes: number; scenario: string; load: number; rateScale?: number; policy: string; seed?: number; sampleSec: number; series?: string; json: boolean }>();
const say = (m: string) => (opts.json ? process.stderr : process.stdout).write(`soak: ${m}\n`);
const stack: (() => Promise<void>)[] = [];
const stopAll = async () => {
  for (const stop of stack.splice(0).reverse()) await stop().catch((e: unknown) => console.error(`soak: stop failed: ${String(e)}`));
};
onInterrupt(stopAll);

try {
  if (!isPolicyName(opts.policy)) throw new Error(`--policy: unknown policy "${opts.policy}"; expected one of: ${POLICY_NAMES.join(', ')}`);
  if (opts.minutes - opts.warmupMinutes < 3) throw new Error(`--minutes ${opts.minutes} leaves less than 3 minutes after --warmup-minutes ${opts.warmupMinutes}; memory is compared over thirds of that time, each a minute at least`);
  const { scenario, zoo } = loadInputs(opts.scenario);
  const seed = opts.seed ?? scenario.spec.workload.seed;
  const warmupQueries = scenario.spec.workload.warmupQueries;
  let rateScale: number;
  let load: number | null = null;
  if (opts.rateScale !== undefined) {
    rateScale = opts.rateScale;
  } else {
    const { capacityPerSec, baseRatePerSec } = emulatedCapacity(scenario, new PlacementCatalog(scenario, zoo));
    rateScale = (opts.load * capacityPerSec) / baseRatePerSec;
    load = opts.load;
    say(`emulated capacity ${capacityPerSec.toFixed(1)} queries/s; offering ${Math.round(opts.load * 100)}% of it`);
  }
  const total = arrivalsWithin(scenario, seed, rateScale, opts.minutes * 60_000);
  const queries = total - warmupQueries;
  const ratePerSec = total / (opts.minutes * 60);

  const dir = mkdtempSync(join(tmpdir(), 'aset-soak-'));
  chmodSync(dir, 0o755);
  stack.push(async () => rmSync(dir, { recursive: true, force: true }));
  const postgres = await providePostgres({ env: process.env['DATABASE_URL'], dataDir: join(dir, 'postgres'), say });
  stack.push(() => postgres.stop());
  const runId = `soak-${Date.now().toString(36)}`;
  const prefix = `soak_${Date.now().toString(36)}`;
  const databaseUrl = await ensureDatabase(postgres.url, prefix);
  // A NATS hub of its own, secured as deployed (TLS, a user per service).
  const testbed = await Testbed.start({ scenario: opts.scenario, policy: opts.policy, prefix, sites: { edge: [] }, databaseUrl, logDir: join(dir, 'logs'), say });
  stack.push(() => testbed.stop());
  const bus = await MessageBus.connect({ servers: testbed.natsUrl, name: 'soak', prefix, logger: silentBusLogger, ...testbed.topology?.security.busOptions('testbed') });
  stack.push(() => bus.close());

  say(`${opts.minutes} min at ${ratePerSec.toFixed(1)} queries/s (rate scale ${rateScale.toFixed(3)}): ${queries} queries after ${warmupQueries} warm-up, policy ${opts.policy}, seed ${seed}`);
  const samples: RssSample[] = [];
  let backlogMax = 0;
  const startedAt = Date.now();
  const sample = async () => {
    const atSec = (Date.now() - startedAt) / 1000;
    // Every service process (the generator under one name), and the NATS server.
    const services = [...testbed.processes].map(([key, proc]) => [key, key.startsWith('workload-generator') ? 'workload-generator' : key, proc.child.pid] as const);
    for (const [key, service, pid] of services) {
      const bytes = pid === undefined ? undefined : processRssBytes(pid);
      if (bytes === undefined) continue;
      const heapBytes = await readServiceMetric(testbed.serviceUrl(key), 'nodejs_heap_size_total_bytes');
      samples.push({ service, atSec, bytes, ...(heapBytes === undefined ? {} : { heapBytes }) });
    }
    for (const [server, pid] of testbed.topology?.pids ?? []) {
      const bytes = pid === undefined ? undefined : processRssBytes(pid);
      if (bytes !== undefined) samples.push({ service: server, atSec, bytes });
    }
    const state = await bus.consumerState('metricsStore').catch(() => undefined);
    if (state) backlogMax = Math.max(backlogMax, state.pending + state.ackPending);
    if (!opts.json && Math.round(atSec) % 60 < opts.sampleSec) say(`${Math.round(atSec / 60)} min: backlog ${state ? state.pending + state.ackPending : '?'}`);
  };
  const timer = setInterval(() => void sample().catch((e: unknown) => say(`a sample failed: ${e instanceof Error ? e.message : String(e)}`)), opts.sampleSec * 1000);
  let report;
  try {
    report = await testbed.run({ runId, queries, seed, rateScale });
  } finally {
    clearInterval(timer);
  }
  const endSec = (Date.now() - startedAt) / 1000;
  const summary = await testbed.waitIngested(runId, 120_000);
  let backlogAfter = Number.POSITIVE_INFINITY;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    const state = await bus.consumerState('metricsStore');
    backlogAfter = state.pending + state.ackPending;
    if (backlogAfter === 0) break;
  }
  // storedQueries counts warm-up rows too.
  const lost = queries + warmupQueries - summary.storedQueries;
  const verdict = judgeSoak({ samples, warmupSec: opts.warmupMinutes * 60, endSec, lost, backlogAfter, infrastructure: new Set(testbed.topology?.pids.keys() ?? []) });
  if (opts.series) {
    writeFileSync(opts.series, ['at_sec,service,rss_bytes,heap_bytes', ...samples.map((x) => `${x.atSec.toFixed(1)},${x.service},${x.bytes},${x.heapBytes ?? ''}`)].join('\n') + '\n');
    say(`samples written to ${opts.series}`);
  }
  const result = {
    minutes: opts.minutes,
    scenario: scenario.name,
    policy: opts.policy,
    ratePerSec: Math.round(ratePerSec * 10) / 10,
    rateScale,
    load,
    queries,
    warmupQueries,
    storedRecords: summary.storedQueries,
    lost,
    backlogMax,
    backlogAfter,
    successRatio: report.summary.successRatio,
    host: { meanBusy: report.host.meanBusy, maxBusy: report.host.maxBusy, representative: report.host.representative },
    rss: verdict.rss,
    infrastructure: verdict.infrastructure,
    pass: verdict.pass,
    failures: verdict.failures,
  };
  if (!opts.json) {
    for (const r of verdict.rss) {
      const heap = r.heap ? `; V8 heap ${r.heap.warmMb} -> ${r.heap.endMb} MB` : '';
      say(`${r.service}: ${r.warmMb} MB after warm-up, ${r.endMb} MB at the end (${(r.growth * 100).toFixed(1)}%)${heap}`);
    }
    for (const r of verdict.infrastructure) say(`${r.service} (infrastructure, reported only): ${r.warmMb} MB after warm-up, ${r.endMb} MB at the end (${(r.growth * 100).toFixed(1)}%)`);
    say(`records ${summary.storedQueries}/${queries + warmupQueries} warm-up included (lost ${lost}), backlog at most ${backlogMax}, ${backlogAfter} after the run; ${verdict.pass ? 'PASS' : `FAIL: ${verdict.failures.join('; ')}`}`);
  }
  await stopAll();
  if (opts.json) console.log(JSON.stringify(result));
  if (!verdict.pass) process.exitCode = 1;
} catch (e) {
  const code = failureExitCode();
  if (code !== 130) console.error(`soak failed: ${e instanceof Error ? e.message : String(e)}`);
  await stopAll();
  process.exit(code);
}

/** How many arrivals the scenario's workload makes within `ms` (warm-up included), for this seed and rate scale. */
function arrivalsWithin(scenario: Parameters<typeof buildArrivalSchedule>[0], seed: number, rateScale: number, ms: number): number {
  for (let count = 4096; ; count *= 2) {
    const schedule = buildArrivalSchedule(scenario, { count, seed, rateScale });
    const last = schedule.offsetMs[schedule.count - 1] as number;
    if (last >= ms) {
      let n = 0;
      while (n < schedule.count && (schedule.offsetMs[n] as number) < ms) n++;
      return n;
    }
  }
}
