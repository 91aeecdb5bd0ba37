/**
 * Overload benchmark: the live testbed (every service its own process, real NATS, PostgreSQL and
 * ONNX) on a scenario whose capacity is the clusters' emulated capacity, well below the host's
 * (scenarios/overload.yaml by default: two one-slot clusters of about 78 ms per query, maxQueue 1),
 * at 1x and 2x that capacity with the overload defences on (ADMISSION=on, the scenario's bounded
 * queues), and, as the baseline in the same command, at 2x with them off (ADMISSION=off, the same
 * scenario without maxQueue). Each run starts a fresh testbed, so that its services' memory is its own.
 *
 * Capacity: the sum over clusters of slots / processing time of the cheapest variant meeting the
 * application's accuracy floor (profiled time x the hardware's speed factor), for a scenario with
 * one application and Poisson arrivals, whose rates are scaled to `load` x capacity.
 *
 * Per run: goodput (measured queries that met their SLO per second of arrivals), the share shed
 * (status dropped: DEADLINE_UNREACHABLE at the scheduler, QUEUE_FULL at a worker), the p99 latency
 * of the admitted queries (every query not shed; a timed out one counts at its timeout) and, of the
 * completed ones, the p99 of the time at the worker (received to finished: the emulated request
 * delay, the queue, processing), which the queue bound governs, and of the time on the way there
 * (created to received: the generator's lateness, NATS, the scheduler), which the host does; the
 * longest queue a worker reported, the highest resident memory of any service process (sampled
 * every 250 ms) and of the workers, and the terminal records stored against the queries sent.
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import pg from 'pg';
import { DEFAULT_MANIFEST, nonNegativeInt, positiveInt, runCommand, scenarioPath } from '@aset/command-line';
import { readZoo } from '@aset/model-zoo';
import { readScenarioFile, type Scenario } from '@aset/scenario';
import { HEURISTIC_POLICY_NAMES, PlacementCatalog, emulatedCapacity } from '@aset/scheduling';
import { Testbed, processRssBytes, provideTestbedServers, stopStack } from '@aset/testbed';

const program = new Command('bench:overload')
  .description('Goodput, share shed and admitted p99 on the live testbed at 1x and 2x the clusters\' capacity, with admission and bounded queues on, and at 2x with them off')
  .option('--scenario <name|file>', 'scenario: one application, Poisson arrivals, clusters with maxQueue', 'overload')
  .addOption(
    new Option('--policy <name>', 'scheduling policy (round-robin by default: it fills both clusters, where policies acting on 500 ms heartbeat snapshots herd onto one)')
      .choices(HEURISTIC_POLICY_NAMES)
      .default('round-robin'),
  )
  .option('--queries <n>', 'measured queries per run', positiveInt('--queries'), 1200)
  .option('--warmup-queries <n>', 'warm-up queries per run', nonNegativeInt('--warmup-queries'), 20)
  .option('--reply-timeout-ms <ms>', "the generator's reply timeout", positiveInt('--reply-timeout-ms'), 5000)
  .parse();
const opts = program.opts<{ scenario: string; policy: string; queries: number; warmupQueries: number; replyTimeoutMs: number }>();

interface RunConfig {
  load: number;
  /** Admission on and the scenario's queue bounds kept; off: ADMISSION=off and no maxQueue anywhere. */
  admission: boolean;
}
const RUNS: readonly RunConfig[] = [
  { load: 1, admission: true },
  { load: 2, admission: true },
  { load: 2, admission: false },
];
const RSS_PERIOD_MS = 250;

const say = (m: string) => process.stderr.write(`[bench:overload] ${m}\n`);

/** The scenario without any queue bound, beside the run's logs: the baseline's workers queue without limit. */
function unboundedScenario(file: string, scenario: Scenario, dir: string): string {
  const path = join(dir, `${scenario.name}-unbounded.yaml`);
  // YAML is a superset of JSON; `extends` merges every other key from the original.
  const clusters = scenario.clusters.map(({ maxQueue: _bound, ...rest }) => rest);
  writeFileSync(path, JSON.stringify({ schemaVersion: 1, extends: resolve(file), name: `${scenario.name}-unbounded`, clusters }, null, 2));
  return path;
}

/** Samples each service process's resident memory until stopped; returns the highest per service. */
function sampleRss(testbed: Testbed): { stop(): Map<string, number> } {
  const highest = new Map<string, number>();
  const sample = () => {
    for (const [name, p] of testbed.processes) {
      const bytes = p.child.pid === undefined ? undefined : processRssBytes(p.child.pid);
      const mb = bytes === undefined ? undefined : bytes / 2 ** 20;
      if (mb !== undefined && mb > (highest.get(name) ?? 0)) highest.set(name, mb);
    }
  };
  sample();
  const timer = setInterval(sample, RSS_PERIOD_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return highest;
    },
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

await runCommand('bench:overload', async () => {
  const file = scenarioPath(opts.scenario);
  const zoo = readZoo(DEFAULT_MANIFEST);
  const scenario = readScenarioFile(file, { zoo });
  const catalog = new PlacementCatalog(scenario, zoo);
  const { capacityPerSec, baseRatePerSec } = emulatedCapacity(scenario, catalog);
  const sloMs = (scenario.applications[0] as { slo: { maxLatencyMs: number } }).slo.maxLatencyMs;
  const bounds = scenario.clusters.map((c) => `${c.id} ${c.slots} slot(s), maxQueue ${c.maxQueue ?? 'none'}`).join('; ');
  say(`${scenario.name}: capacity ${capacityPerSec.toFixed(1)} queries/s (${bounds}); SLO ${sloMs} ms; policy ${opts.policy}; ${opts.queries} queries per run`);
  const unboundedFile = unboundedScenario(file, scenario, mkdtempSync(join(tmpdir(), 'aset-overload-scenario-')));

  const state = mkdtempSync(join(tmpdir(), 'aset-overload-'));
  const stops = stopStack();
  try {
    const servers = await provideTestbedServers({ stateDir: state, say });
    stops.push(() => servers.stop());
    const { natsUrl, databaseUrl } = servers;

    const runs = [];
    for (const run of RUNS) {
      const label = `${run.load}x, admission and bounded queues ${run.admission ? 'on' : 'off'}`;
      const offeredPerSec = run.load * capacityPerSec;
      const prefix = `aset_overload_${Date.now().toString(36)}`;
      const testbed = await Testbed.start({
        scenario: run.admission ? file : unboundedFile,
        policy: opts.policy,
        schedulerEnv: { ADMISSION: run.admission ? 'on' : 'off' },
        prefix,
        natsUrl,
        databaseUrl,
        logDir: join(state, 'logs', `${run.load}x-${run.admission ? 'on' : 'off'}`),
        // A shared host may take minutes to start every service; the runs, not the start, are measured.
        readyTimeoutMs: 240_000,
        say: () => {},
      });
      const stopTestbed = () => testbed.stop();
      stops.push(stopTestbed);
      try {
        say(`${label}: ${opts.queries} queries at ${offeredPerSec.toFixed(1)}/s ...`);
        const runId = `overload-${run.load}x-${run.admission ? 'on' : 'off'}-${Date.now().toString(36)}`;
        const rss = sampleRss(testbed);
        const report = await testbed.run({ runId, queries: opts.queries, warmupQueries: opts.warmupQueries, rateScale: offeredPerSec / baseRatePerSec, replyTimeoutMs: opts.replyTimeoutMs });
        const highest = rss.stop();
        const stored = await testbed.waitIngested(runId, 120_000);
        const figures = await runFigures(databaseUrl, runId, scenario.clusters.map((c) => c.id));
        const s = report.summary;
        const seconds = s.queries / offeredPerSec;
        const workers = [...highest].filter(([name]) => name.startsWith('worker'));
        const row = {
          load: run.load,
          admission: run.admission,
          offeredPerSec: round(offeredPerSec),
          queries: s.queries,
          goodputPerSec: round(s.sloMet / seconds),
          sloMetShare: round(s.sloMet / s.queries, 4),
          shedShare: round(s.dropped / s.queries, 4),
          shedByReason: figures.shedByReason,
          admittedP99Ms: figures.admittedP99Ms === null ? null : round(figures.admittedP99Ms),
          completedP99Ms: round(s.p99Ms),
          atWorkerP99Ms: figures.atWorkerP99Ms === null ? null : round(figures.atWorkerP99Ms),
          toWorkerP99Ms: figures.toWorkerP99Ms === null ? null : round(figures.toWorkerP99Ms),
          sloMs,
          timedOut: s.timedOut,
          errors: s.errors,
          maxQueueLength: figures.maxQueueLength,
          maxRssMb: round(Math.max(...highest.values())),
          maxWorkerRssMb: round(Math.max(...workers.map(([, mb]) => mb))),
          terminalRecords: figures.records,
          distinctQueryIds: figures.distinctIds,
          storedQueries: stored.storedQueries,
          recordsLost: report.recordsLost,
          hostRepresentative: report.host.representative,
          hostMaxBusy: round(report.host.maxBusy, 2),
        };
        say(
          `${label}: goodput ${row.goodputPerSec}/s (${(row.sloMetShare * 100).toFixed(1)}% met), shed ${(row.shedShare * 100).toFixed(1)}% ${JSON.stringify(row.shedByReason)}, ` +
            `admitted p99 ${row.admittedP99Ms} ms (SLO ${sloMs}; p99 at the worker ${row.atWorkerP99Ms}, on the way there ${row.toWorkerP99Ms}), timed out ${row.timedOut}, longest queue ${row.maxQueueLength}, max RSS ${row.maxRssMb} MB (workers ${row.maxWorkerRssMb}), ` +
            `${row.terminalRecords} records for ${row.queries + opts.warmupQueries} queries${row.hostRepresentative ? '' : ' (host saturated: not representative)'}`,
        );
        runs.push(row);
      } finally {
        stops.forget(stopTestbed);
        await testbed.stop();
      }
    }
    const on2 = runs.find((r) => r.load === 2 && r.admission);
    const off2 = runs.find((r) => r.load === 2 && !r.admission);
    const goodputRatio = on2 && off2 && off2.goodputPerSec > 0 ? round(on2.goodputPerSec / off2.goodputPerSec, 2) : null;
    console.log(JSON.stringify({ scenario: scenario.name, policy: opts.policy, capacityPerSec: round(capacityPerSec), goodputRatioAt2x: goodputRatio, runs }));
  } finally {
    await stops.stopAll();
  }
});

/**
 * From the store: shed queries by reason, the admitted queries' p99 latency, the run's records
 * (warm-up included) and distinct query ids, and the longest queue any of `clusters` reported in a
 * heartbeat during the run.
 */
async function runFigures(
  databaseUrl: string,
  runId: string,
  clusters: readonly string[],
): Promise<{ shedByReason: Record<string, number>; admittedP99Ms: number | null; atWorkerP99Ms: number | null; toWorkerP99Ms: number | null; records: number; distinctIds: number; maxQueueLength: number | null }> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const reasons = await db.query<{ reason: string; n: number }>(`SELECT reason, count(*)::int AS n FROM queries WHERE run_id = $1 AND NOT warmup AND status = 'dropped' GROUP BY reason ORDER BY reason`, [runId]);
    const p99 = await db.query<{ p99: number | null }>(`SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99 FROM queries WHERE run_id = $1 AND NOT warmup AND status <> 'dropped'`, [runId]);
    const stages = await db.query<{ at_worker: number | null; to_worker: number | null }>(
      `SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - received_at) * 1000) AS at_worker,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - created_at) * 1000) AS to_worker
         FROM queries WHERE run_id = $1 AND NOT warmup AND status = 'completed'`,
      [runId],
    );
    const counts = await db.query<{ n: number; ids: number }>(`SELECT count(*)::int AS n, count(DISTINCT query_id)::int AS ids FROM queries WHERE run_id = $1`, [runId]);
    const queue = await db.query<{ q: number | null }>(
      `SELECT max(s.queue_length)::int AS q FROM cluster_samples s JOIN runs r ON s.at BETWEEN r.started_at AND r.finished_at WHERE r.run_id = $1 AND s.cluster_id = ANY($2)`,
      [runId, clusters],
    );
    return {
      shedByReason: Object.fromEntries(reasons.rows.map((r) => [r.reason, r.n])),
      admittedP99Ms: p99.rows[0]?.p99 ?? null,
      atWorkerP99Ms: stages.rows[0]?.at_worker ?? null,
      toWorkerP99Ms: stages.rows[0]?.to_worker ?? null,
      records: counts.rows[0]?.n ?? 0,
      distinctIds: counts.rows[0]?.ids ?? 0,
      maxQueueLength: queue.rows[0]?.q ?? null,
    };
  } finally {
    await db.end();
  }
}
