/**
 * Pipeline benchmark: what the whole live pipeline carries, against raw NATS request-reply on the
 * same server. The live testbed (every service its own process: generator -> scheduler -> worker ->
 * reply, records through JetStream into PostgreSQL) runs scenarios/pipeline.yaml (two 64-slot
 * clusters of the tiniest variant, zero-delay links) with the workers' network and hardware
 * emulation off, open loop (Poisson arrivals at the offered rate, whatever the replies do).
 *
 * The search: rates double from `--start-rate` until a run fails, then `--bisect` halvings between
 * the last rate that passed and the first that failed. A run passes when every measured query
 * completed (nothing dropped, refused, timed out or lost: every query's record stored) and the p99
 * latency is at most `--p99-ms`. One testbed serves every run (each with its own run id and warm-up
 * queries), after an unjudged run of `--warm-queries` at the start rate, so that the services are
 * warm and their start is not measured.
 *
 * Then raw NATS request-reply in this process (a plain subscription echoing the query's bytes) at
 * the concurrency the pipeline reached at its highest passing rate (Little's law: that rate times
 * its mean latency, at least 1 in flight). `ratio` = maxRatePerSec / rawNatsReqPerSec.
 * `cpuUsPerQuery`: CPU time of each service process over the highest passing run, per query sent;
 * `serverCpuUsPerQuery`: the same of the nats-server and PostgreSQL this bench started (not of
 * servers given by NATS_URL / DATABASE_URL), from the run's start until its records are stored.
 * `--profile <dir>` writes each service's V8 CPU profile there (TESTBED_CPU_PROFILE_DIR).
 *
 * Then the topology floor (topology-floor.run.ts, unless `--no-floor`): the same message path with
 * services that do nothing, searched by the same rule from the pipeline's highest passing rate up
 * to 8 times `--max-rate` (`capped` when it passed even that: it carries at least so much), and
 * raw NATS again at the floor's concurrency. `topologyFloor.ratio` is what the path alone
 * carries against raw NATS; `pipelineVsFloor` how much of that the services keep.
 *
 * `--rate <n>` measures instead of searching: `--repeat` runs at that rate on the one testbed, each
 * reported with its CPU per query whether it passed or not, and the per-service medians
 * (`cpuUsPerQuery`); no raw NATS. Each run follows a run of one query, whose generator CPU is the
 * generator's start and stop (a new process per run): `generatorNetUsPerQuery` is the generator's
 * CPU per query net of it. For A/B comparisons of what a query costs each service, which the
 * search's coarse steps cannot show.
 *
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { HEURISTIC_POLICY_NAMES } from '@aset/scheduling';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encodeMessage } from '@aset/contracts';
import { sampleQuery } from '@aset/contracts/testing';
import { DEFAULT_MANIFEST, positiveInt, positiveNumber, runCommand, scenarioPath } from '@aset/command-line';
import { readZoo } from '@aset/model-zoo';
import { offeredRatePerSec, readScenarioFile, type Scenario } from '@aset/scenario';
import { Testbed, provideTestbedServers, stopStack } from '@aset/testbed';
import { median } from './bench.stats.js';
import { serverCpuUs } from './process-cpu.sampler.js';
import { cpuUsPerQuery, highestPassing, judgePipelineRun, medianCpuUsPerQuery, medianOfEach, nextRate, type PipelineRun } from './pipeline.search.js';
import { TopologyFloor, type FloorRun } from './topology-floor.run.js';

const program = new Command('bench:pipeline')
  .description('The highest open-loop rate the live pipeline carries with p99 within a bound and nothing lost or timed out, against raw NATS request-reply at the same concurrency')
  .option('--scenario <name|file>', 'scenario: one application, Poisson arrivals, the tiniest variant', 'pipeline')
  .addOption(new Option('--policy <name>', 'scheduling policy').choices(HEURISTIC_POLICY_NAMES).default('round-robin'))
  .option('--start-rate <n>', 'first rate tried, queries/s', positiveInt('--start-rate'), 250)
  .option('--max-rate <n>', 'highest rate tried, queries/s', positiveInt('--max-rate'), 32_000)
  .option('--bisect <n>', 'halvings between the last passing and the first failing rate', positiveInt('--bisect'), 2)
  .option('--run-seconds <s>', 'seconds of arrivals per run (at least 2,000 queries)', positiveNumber('--run-seconds'), 4)
  .option('--p99-ms <ms>', 'the p99 latency a run must keep, ms', positiveNumber('--p99-ms'), 50)
  .option('--raw-seconds <s>', 'seconds of raw NATS request-reply', positiveNumber('--raw-seconds'), 4)
  .option('--warm-queries <n>', 'queries of the unjudged warm-up run at the start rate', positiveInt('--warm-queries'), 4000)
  .option('--profile <dir>', "write each service's V8 CPU profile under this folder")
  .option('--no-floor', 'skip the topology floor (the same message path with services that do nothing)')
  .option('--rate <n>', 'no search: run --repeat times at this rate, queries/s, and report the CPU per query of each run and the medians', positiveInt('--rate'))
  .option('--repeat <n>', 'runs at --rate', positiveInt('--repeat'), 3)
  .parse();
const opts = program.opts<{
  scenario: string;
  policy: string;
  startRate: number;
  maxRate: number;
  bisect: number;
  runSeconds: number;
  p99Ms: number;
  rawSeconds: number;
  warmQueries: number;
  profile?: string;
  floor: boolean;
  rate?: number;
  repeat: number;
}>();

/** The floor's search may go this many times past `--max-rate`: the path alone carries far more than the pipeline. */
const FLOOR_MAX_RATE_FACTOR = 8;

const say = (m: string) => process.stderr.write(`[bench:pipeline] ${m}\n`);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

await runCommand('bench:pipeline', async () => {
  const file = scenarioPath(opts.scenario);
  const zoo = readZoo(DEFAULT_MANIFEST);
  const scenario = readScenarioFile(file, { zoo });
  const baseRatePerSec = offeredRatePerSec(scenario);
  if (!(baseRatePerSec > 0)) throw new Error(`${file}: the pipeline bench needs arrivals to scale (the scenario offers ${baseRatePerSec} queries/s)`);
  if (opts.profile) process.env['TESTBED_CPU_PROFILE_DIR'] = resolve(opts.profile);

  const state = mkdtempSync(join(tmpdir(), 'aset-pipeline-'));
  const stops = stopStack();
  try {
    const servers = await provideTestbedServers({ stateDir: state, say });
    stops.push(() => servers.stop());
    const { natsUrl, databaseUrl } = servers;
    const testbed = await Testbed.start({
      scenario: file,
      policy: opts.policy,
      prefix: `aset_pipeline_${Date.now().toString(36)}`,
      natsUrl,
      databaseUrl,
      env: { EMULATE_NETWORK: 'false', EMULATE_HARDWARE: 'false', LOG_LEVEL: 'warn' },
      logDir: join(state, 'logs'),
      readyTimeoutMs: 240_000,
      say: () => {},
    });
    stops.push(() => testbed.stop());
    say(`${scenario.name}: ${scenario.clusters.map((c) => `${c.id} ${c.slots} slots`).join(', ')}; policy ${opts.policy}; emulation off; p99 bound ${opts.p99Ms} ms`);

    // Every service's first thousands of queries run cold (JIT, connection buffers, the store's
    // first batches): an unjudged run at the start rate warms the whole pipeline first.
    const warmRate = opts.rate ?? opts.startRate;
    const warmRunId = `pipeline-warm-${Date.now().toString(36)}`;
    await testbed.run({ runId: warmRunId, queries: opts.warmQueries, rateScale: warmRate / baseRatePerSec });
    await testbed.waitIngested(warmRunId, 120_000);
    say(`warmed up: ${opts.warmQueries} queries at ${warmRate}/s`);

    /** CPU µs per query of the servers this bench started, from the run's start until its records are stored. */
    const serverCpu = new Map<PipelineRun, { nats?: number; postgres?: number }>();
    const runAt = async (rate: number): Promise<PipelineRun> => {
      const queries = queriesAt(rate);
      const runId = `pipeline-${rate}-${Date.now().toString(36)}`;
      const before = serverCpuUs(servers.pids);
      const report = await testbed.run({ runId, queries, rateScale: rate / baseRatePerSec });
      const stored = await testbed.waitIngested(runId, 120_000).then((s) => s.storedQueries, () => undefined);
      const after = serverCpuUs(servers.pids);
      const run = judgePipelineRun({ ratePerSec: rate, report, storedRecords: stored, p99BoundMs: opts.p99Ms });
      const sent = run.queriesSent;
      const servedBy: { nats?: number; postgres?: number } = {};
      if (before.nats !== undefined && after.nats !== undefined) servedBy.nats = round((after.nats - before.nats) / sent);
      if (before.postgres !== undefined && after.postgres !== undefined) servedBy.postgres = round((after.postgres - before.postgres) / sent);
      serverCpu.set(run, servedBy);
      const cpu = [...Object.entries(cpuUsPerQuery(run)), ...Object.entries(servedBy).map(([server, us]) => [`${server}-server`, us] as const)].map(([service, us]) => `${service} ${us}`).join(', ');
      say(`${rate}/s: ${queries} queries, p50 ${round(run.p50Ms)} ms, p99 ${round(run.p99Ms)} ms, ${run.pass ? 'pass' : `FAIL (${run.failures.join('; ')})`}; CPU µs per query: ${cpu}`);
      return run;
    };
    const reported = (r: PipelineRun) => {
      const { serviceCpuMs: _, ...rest } = r;
      return { ...rest, cpuUsPerQuery: cpuUsPerQuery(r), serverCpuUsPerQuery: serverCpu.get(r) ?? {} };
    };
    const medianServerCpu = (runs: readonly PipelineRun[]) => {
      const of = (k: 'nats' | 'postgres') => runs.map((r) => serverCpu.get(r)?.[k]).filter((v): v is number => v !== undefined);
      return Object.fromEntries((['nats', 'postgres'] as const).filter((k) => of(k).length > 0).map((k) => [k, round(median(of(k)))]));
    };

    if (opts.rate !== undefined) {
      // The generator is a new process per run: a run of one query before each measured run gives
      // its start and stop, which the measured run's CPU counts too, to take off for its cost per query.
      // With the floor, each pipeline run is followed by a floor run at the same rate (both warmed up
      // first), so that the host's drift weighs on both alike.
      const rate = opts.rate;
      const floor = opts.floor ? await TopologyFloor.start(natsUrl, scenario, sampleQuery()) : undefined;
      if (floor) stops.push(() => floor.stop());
      await floor?.run(rate, opts.warmQueries, baseRatePerSec, opts.p99Ms);
      const runs: PipelineRun[] = [];
      const floorRuns: FloorRun[] = [];
      const generatorStartMs: number[] = [];
      for (let i = 0; i < opts.repeat; i++) {
        const oneId = `pipeline-one-${Date.now().toString(36)}`;
        const one = await testbed.run({ runId: oneId, queries: 1, warmupQueries: 0, rateScale: rate / baseRatePerSec });
        generatorStartMs.push(Object.entries(one.host.serviceCpuMs).reduce((ms, [service, v]) => (service.startsWith('workload-generator') ? ms + v : ms), 0));
        runs.push(await runAt(rate));
        if (floor) floorRuns.push(await floorRunAt(floor, servers.pids, rate, baseRatePerSec));
      }
      const generatorPerQueryUs = runs.map((r, i) => {
        const ms = Object.entries(r.serviceCpuMs).reduce((sum, [service, v]) => (service.startsWith('workload-generator') ? sum + v : sum), 0);
        return round(((ms - (generatorStartMs[i] as number)) * 1000) / r.queriesSent);
      });
      say(`generator start and stop: ${generatorStartMs.join(', ')} ms CPU; net of them, per query: ${generatorPerQueryUs.join(', ')} µs`);
      console.log(
        JSON.stringify({
          ratePerSec: opts.rate,
          cpuUsPerQuery: medianCpuUsPerQuery(runs),
          serverCpuUsPerQuery: medianServerCpu(runs),
          generatorNetUsPerQuery: round(median(generatorPerQueryUs)),
          generatorStartCpuMs: median(generatorStartMs),
          passed: runs.filter((r) => r.pass).length,
          runs: runs.map((r, i) => ({ ...reported(r), generatorNetUsPerQuery: generatorPerQueryUs[i], generatorStartCpuMs: generatorStartMs[i] })),
          ...(floor ? { topologyFloor: { ratePerSec: rate, cpuUsPerQuery: medianOfEach(floorRuns.map((r) => r.cpuUsPerQuery)), passed: floorRuns.filter((r) => r.pass).length, runs: floorRuns } } : {}),
        }),
      );
      return;
    }

    const runs: PipelineRun[] = [];
    for (let rate: number | undefined = Math.min(opts.startRate, opts.maxRate); rate !== undefined; rate = nextRate(runs, { maxRate: opts.maxRate, bisect: opts.bisect })) {
      runs.push(await runAt(rate));
    }
    const best = highestPassing(runs);
    if (!best) throw new Error(`no rate passed, not even ${runs[0]?.ratePerSec}/s: ${runs[0]?.failures.join('; ')}`);

    const concurrency = littleConcurrency(best);
    const rawNatsReqPerSec = await rawRequestReply(natsUrl, concurrency, opts.rawSeconds);
    say(`raw NATS request-reply with ${concurrency} in flight: ${Math.round(rawNatsReqPerSec)} req/s`);
    const topologyFloor = opts.floor ? await floorSearch(natsUrl, servers.pids, scenario, baseRatePerSec, best.ratePerSec) : undefined;
    console.log(
      JSON.stringify({
        maxRatePerSec: best.ratePerSec,
        rawNatsReqPerSec: Math.round(rawNatsReqPerSec),
        ratio: round(best.ratePerSec / rawNatsReqPerSec, 3),
        concurrency,
        cpuUsPerQuery: cpuUsPerQuery(best),
        serverCpuUsPerQuery: serverCpu.get(best) ?? {},
        ...(topologyFloor ? { topologyFloor, pipelineVsFloor: round(best.ratePerSec / topologyFloor.maxRatePerSec, 3) } : {}),
        runs: runs.map(reported),
      }),
    );
  } finally {
    await stops.stopAll();
  }
});

/** In flight at a run's rate and mean latency (Little's law), at least 1. */
function littleConcurrency(run: { ratePerSec: number; meanMs: number }): number {
  return Math.max(1, Math.round(run.ratePerSec * (run.meanMs / 1000)));
}

/**
 * The topology floor's search (topology-floor.run.ts): an unjudged warm-up at `fromRate`, then the
 * pipeline's search from `fromRate` (the floor carries at least what the pipeline does), then raw
 * NATS at the floor's concurrency.
 */
async function floorSearch(natsUrl: string, servers: { nats: number | undefined; postmaster: number | undefined }, scenario: Scenario, baseRatePerSec: number, fromRate: number) {
  const floor = await TopologyFloor.start(natsUrl, scenario, sampleQuery());
  try {
    await floor.run(fromRate, opts.warmQueries, baseRatePerSec, opts.p99Ms);
    const runs: FloorRun[] = [];
    for (let rate: number | undefined = fromRate; rate !== undefined; rate = nextRate(runs, { maxRate: FLOOR_MAX_RATE_FACTOR * opts.maxRate, bisect: opts.bisect })) {
      runs.push(await floorRunAt(floor, servers, rate, baseRatePerSec));
    }
    const best = highestPassing(runs);
    if (!best) throw new Error(`the topology floor failed at ${fromRate}/s, where the pipeline passed: ${runs[0]?.failures.join('; ')}`);
    const concurrency = littleConcurrency(best);
    const rawNatsReqPerSec = await rawRequestReply(natsUrl, concurrency, opts.rawSeconds);
    say(`raw NATS request-reply with ${concurrency} in flight (the floor's): ${Math.round(rawNatsReqPerSec)} req/s`);
    // A floor that passed its highest rate carries at least that much: say so rather than report the cap as its limit.
    const capped = best.ratePerSec >= FLOOR_MAX_RATE_FACTOR * opts.maxRate;
    return { maxRatePerSec: best.ratePerSec, capped, rawNatsReqPerSec: Math.round(rawNatsReqPerSec), ratio: round(best.ratePerSec / rawNatsReqPerSec, 3), concurrency, runs };
  } finally {
    await floor.stop();
  }
}

/** Queries of a run at `rate`: `--run-seconds` of it, at least 2,000. */
function queriesAt(rate: number): number {
  return Math.max(2000, Math.round(rate * opts.runSeconds));
}

/** One run of the topology floor at `rate`, with the nats-server's CPU per query beside its processes'. */
async function floorRunAt(floor: TopologyFloor, servers: { nats: number | undefined; postmaster: number | undefined }, rate: number, baseRatePerSec: number): Promise<FloorRun> {
  const before = serverCpuUs(servers);
  const run = await floor.run(rate, queriesAt(rate), baseRatePerSec, opts.p99Ms);
  const after = serverCpuUs(servers);
  if (before.nats !== undefined && after.nats !== undefined) run.cpuUsPerQuery['nats-server'] = round((after.nats - before.nats) / run.queriesSent);
  const cpu = Object.entries(run.cpuUsPerQuery).map(([p, us]) => `${p} ${us}`).join(', ');
  say(`topology floor ${rate}/s: p50 ${round(run.p50Ms)} ms, p99 ${round(run.p99Ms)} ms, ${run.pass ? 'pass' : `FAIL (${run.failures.join('; ')})`}; CPU µs per query: ${cpu}`);
  return run;
}

/**
 * Raw NATS request-reply in this process, `concurrency` requests in flight for `seconds`: a plain
 * subscription answers each request with its own bytes (a query's JSON). Returns requests per second.
 */
async function rawRequestReply(url: string, concurrency: number, seconds: number): Promise<number> {
  const responder: NatsConnection = await connect({ servers: url, name: 'bench-pipeline-raw-responder' });
  const requester: NatsConnection = await connect({ servers: url, name: 'bench-pipeline-raw-requester' });
  const subject = `bench.pipeline.raw.${process.pid}`;
  try {
    const sub = responder.subscribe(subject, {
      callback: (_, m) => {
        m.respond(m.data);
      },
    });
    await responder.flush();
    const payload = encodeMessage(sampleQuery());
    let done = 0;
    const until = performance.now() + seconds * 1000;
    const started = performance.now();
    const loop = async () => {
      while (performance.now() < until) {
        await requester.request(subject, payload, { timeout: 5_000 });
        done++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    const perSec = done / ((performance.now() - started) / 1000);
    sub.unsubscribe();
    return perSec;
  } finally {
    await requester.close();
    await responder.close();
  }
}
