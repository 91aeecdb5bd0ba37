import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { ClusterHeartbeatSchema, SubjectSpace, decodeMessage } from '@aset/contracts';
import pg from 'pg';
import { transferMs, type Scenario } from '@aset/scenario';
import { buildArrivalSchedule } from '@aset/workload';
import Table from 'cli-table3';
import { POLICY_NAMES, PlacementCatalog, STATIC_POLICY_NAMES, agentModeOf, asetAgentsOf, readAsetCheckpoint } from '@aset/scheduling';
import { empiricalDelay, heartbeatTiming, medianDelayMs, simulatePolicy, type MessagingTime } from '@aset/sim';
import { Testbed, failureExitCode, onInterrupt, provideTestbedServers, type HostUsage } from '@aset/testbed';
import { checkpointPath, loadInputs, nonNegativeInt, policyNames, positiveInt, positiveNumber, scenarioPath, formatPercent, checkpointsOption } from '@aset/command-line';

/**
 * What the simulator is given of a live run's messaging time: its distribution, sampled per query,
 * or its medians (the ablation: on a shared host messaging time is heavy-tailed).
 */
type MessagingModel = 'distribution' | 'median';
const MESSAGING_MODELS = ['distribution', 'median'] as const satisfies readonly MessagingModel[];
const MESSAGING_MODEL_TEXT: Record<MessagingModel, string> = {
  distribution: 'its distribution, sampled per query',
  median: 'its medians',
};

const program = new Command('validate:sim')
  .description('Run every static policy on the live testbed and in the simulator over the same arrivals and heartbeat timing, and compare success ratios.')
  .option('--scenario <name|file>', 'scenario', 'demo')
  .option('--policies <names>', 'comma-separated policies (default: every static policy; aset and aset-direct need their checkpoint, see --checkpoints)', policyNames('--policies', POLICY_NAMES))
  .addOption(checkpointsOption())
  .option('--agents-from <scenario>', 'load the ASET checkpoints trained for this scenario (default: --scenario)')
  .option(
    '--queries <n>',
    "measured queries per policy (default: eight times the scenario's: policies acting on heartbeat snapshots herd, and a run must average over enough herding episodes to compare)",
    positiveInt('--queries'),
  )
  .option('--target <points>', 'largest acceptable difference, percentage points', positiveNumber('--target'), 5)
  .option('--warmup-queries <n>', "warm-up queries before the measured ones, per policy (default: the scenario's)", nonNegativeInt('--warmup-queries'))
  .option('--rate-scale <x>', "multiply every arrival rate, live and simulated (large scenarios: a rate this host can carry)", positiveNumber('--rate-scale'), 1)
  .option('--clusters-per-worker <n>', 'clusters hosted by each live worker process (CLUSTER_IDS): large scenarios need fewer processes than clusters', positiveInt('--clusters-per-worker'), 1)
  .addOption(
    new Option(
      '--messaging <model>',
      "what the simulator is given of each live run's messaging time: its distribution, sampled per query, or its medians (an ablation: on a shared host messaging time is heavy-tailed, and the table shows what the other model gives)",
    )
      .choices(MESSAGING_MODELS)
      .default('distribution'),
  )
  .option('--json', 'print only the JSON object (no table); it is the last stdout line either way', false)
  .parse();
const opts = program.opts<{
  scenario: string;
  policies?: string[];
  checkpoints: string;
  agentsFrom?: string;
  queries?: number;
  target: number;
  warmupQueries?: number;
  rateScale: number;
  clustersPerWorker: number;
  messaging: MessagingModel;
  json: boolean;
}>();

/** The live run's messaging time per query ({@link MessagingTime}), and the quantiles the report shows. */
interface MeasuredMessaging {
  /** What the simulator can be given, by model (`--messaging`). */
  models: Record<MessagingModel, MessagingTime>;
  request: { p50: number; p90: number; p99: number };
  reply: { p50: number; p90: number; p99: number };
}

/**
 * The testbed's messaging time in a live run, which the simulator otherwise leaves out, per answered
 * query: (arrival at the worker - scheduled send: sender lateness, two NATS hops, the scheduler) and
 * (arrival at the sender - end of processing - the link's nominal reply delay). Measured in the run
 * it is compared with, under that run's own load.
 */
async function messagingTime(scenario: Scenario, databaseUrl: string, runId: string, runStartMs: number): Promise<MeasuredMessaging> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT source, cluster_id, app, extract(epoch FROM dispatched_at) * 1000 AS dispatched,
              extract(epoch FROM received_at - created_at) * 1000 AS request,
              extract(epoch FROM completed_at - finished_at) * 1000 AS after_finish
         FROM queries WHERE run_id = $1 AND NOT warmup AND status = 'completed'`,
      [runId],
    );
    const request: number[] = [];
    const reply: number[] = [];
    for (const r of rows as { source: string; cluster_id: string; app: string; dispatched: string; request: number; after_finish: number }[]) {
      // The link as the worker emulated it: a degradation applies to the queries dispatched in its window.
      const link = scenario.linkAtTime(scenario.sourceIndex(r.source), scenario.clusterIndex(r.cluster_id), Number(r.dispatched) - runStartMs);
      request.push(Number(r.request));
      reply.push(Number(r.after_finish) - (link.rttMs / 2 + transferMs(link, scenario.app(r.app)?.replyBytes ?? 256)));
    }
    if (request.length === 0) throw new Error(`run ${runId} answered no query: no messaging time to measure`);
    const requestDelay = empiricalDelay(request);
    const replyDelay = empiricalDelay(reply);
    const at = (d: { quantilesMs: number[] }) => ({ p50: d.quantilesMs[50] as number, p90: d.quantilesMs[90] as number, p99: d.quantilesMs[99] as number });
    const models: Record<MessagingModel, MessagingTime> = {
      distribution: { request: requestDelay, reply: replyDelay },
      median: { request: medianDelayMs(requestDelay), reply: medianDelayMs(replyDelay) },
    };
    return { models, request: at(requestDelay), reply: at(replyDelay) };
  } finally {
    await client.end();
  }
}

/** Collects the `sentAt` of every heartbeat under `prefix`, per cluster, until `stop`. */
async function listenToHeartbeats(url: string, prefix: string): Promise<{ beats: Map<string, number[]>; stop: () => Promise<void> }> {
  const nc = await connect({ servers: url });
  const beats = new Map<string, number[]>();
  const instances = new Map<string, string>();
  nc.subscribe(new SubjectSpace(prefix).wildcard('clusterHeartbeat'), {
    callback: (err, msg) => {
      if (err) return;
      const hb = decodeMessage(ClusterHeartbeatSchema, msg.data, msg.subject);
      if (!hb.ok) return;
      // One worker per cluster on the testbed; a second instance would blur the phase.
      if ((instances.get(hb.value.clusterId) ?? hb.value.instanceId) !== hb.value.instanceId) return;
      instances.set(hb.value.clusterId, hb.value.instanceId);
      const mine = beats.get(hb.value.clusterId);
      if (mine) mine.push(hb.value.sentAt);
      else beats.set(hb.value.clusterId, [hb.value.sentAt]);
    },
  });
  let closed: Promise<void> | undefined;
  return { beats, stop: () => (closed ??= nc.close()) };
}

/**
 * When a live run started (epoch ms), the origin of the simulator's time: the run's first query was
 * created its arrival schedule's first offset after it.
 */
async function liveRunStart(scenario: Scenario, databaseUrl: string, runId: string, seed: number, rateScale: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT extract(epoch FROM min(created_at)) * 1000 AS first FROM queries WHERE run_id = $1`, [runId]);
    const first = (rows[0] as { first: string | null }).first;
    if (first === null) throw new Error(`run ${runId} stored no query: its start is unknown`);
    const offset = buildArrivalSchedule(scenario, { count: 1, seed, rateScale }).offsetMs[0] as number;
    return Number(first) - offset;
  } finally {
    await client.end();
  }
}

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

const describePhases = (phasesMs: readonly number[]) =>
  phasesMs.length <= 12 ? `${phasesMs.map((p) => p.toFixed(0)).join('/')} ms` : `${phasesMs.length} clusters, ${Math.min(...phasesMs).toFixed(0)}-${Math.max(...phasesMs).toFixed(0)} ms`;
const describeMessaging = (m: MeasuredMessaging) =>
  `request ${m.request.p50.toFixed(2)} ms median, ${m.request.p90.toFixed(2)} p90, ${m.request.p99.toFixed(2)} p99; reply ${m.reply.p50.toFixed(2)} / ${m.reply.p90.toFixed(2)} / ${m.reply.p99.toFixed(2)}`;
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
  // Policies acting on heartbeat snapshots herd, and one herding episode more or less moves an
  // 800-query run by several points (latency-aware on demo: 89% or 95% from phase shifts of a few
  // ms; least-loaded 71-77% at 3200 queries); eight times the scenario's queries average over
  // enough of them to compare.
  const queries = opts.queries ?? workload.queries * 8;
  const warmupQueries = opts.warmupQueries ?? workload.warmupQueries;
  const policies = opts.policies ?? STATIC_POLICY_NAMES;
  const state = mkdtempSync(join(tmpdir(), 'aset-validate-'));
  const servers = await provideTestbedServers({ stateDir: state, say });
  stops.push(() => servers.stop());
  const { natsUrl, databaseUrl } = servers;


  const rows: { policy: string; live: number; sim: number; diff: number; liveP95: number | null; simP95: number | null; messaging: MeasuredMessaging; host: HostUsage; ablations: Partial<Record<MessagingModel, number>> }[] = [];
  for (const policy of policies) {
    say(`${policy}: live run of ${queries} queries ...`);
    const mode = agentModeOf(policy);
    const checkpoint = mode ? checkpointPath(opts.agentsFrom ?? opts.scenario, mode, resolve(opts.checkpoints)) : '';
    const asetEnv: Record<string, string> = mode ? { ASET_CHECKPOINT: checkpoint } : {};
    const prefix = `aset_validate_${Date.now().toString(36)}`;
    const heartbeats = await listenToHeartbeats(natsUrl, prefix);
    const testbed = await Testbed.start({
      scenario: scenarioPath(opts.scenario),
      policy,
      env: asetEnv,
      prefix,
      natsUrl: natsUrl,
      databaseUrl,
      clustersPerWorker: opts.clustersPerWorker,
      logDir: join(state, 'logs', policy),
      say: () => {},
    });
    const runId = `validate-${policy}-${Date.now().toString(36)}`;
    try {
      const { host } = await testbed.run({ runId, queries, warmupQueries, seed: workload.seed, rateScale: opts.rateScale });
      if (!host.representative) say(`${policy}: the live run is NOT representative: ${host.reason}`);
      const live = (await testbed.waitIngested(runId)).policies[0];
      await heartbeats.stop();
      const runStart = await liveRunStart(scenario, databaseUrl, runId, workload.seed, opts.rateScale);
      const observation = heartbeatTiming(scenario, heartbeats.beats, runStart);
      const messaging = await messagingTime(scenario, databaseUrl, runId, runStart);
      say(`${policy}: live heartbeats every ${observation.heartbeatMs.toFixed(1)} ms, phases after the run start ${describePhases(observation.phasesMs)}; messaging time ${describeMessaging(messaging)}; simulating with ${MESSAGING_MODEL_TEXT[opts.messaging]}`);
      const agents = asetEnv['ASET_CHECKPOINT'] ? asetAgentsOf(readAsetCheckpoint(checkpoint), checkpoint, scenario, new PlacementCatalog(scenario, zoo)) : undefined;
      const simulate = (model: MessagingModel) => simulatePolicy(scenario, zoo, policy, { seed: workload.seed, queries, warmupQueries, rateScale: opts.rateScale, overheadMs: messaging.models[model], observation }, agents);
      const sim = simulate(opts.messaging);
      // The other models on the same live run: what each costs the agreement.
      const ablations = Object.fromEntries(MESSAGING_MODELS.filter((m) => m !== opts.messaging).map((m) => [m, simulate(m).summary.successRatio]));
      const liveRatio = live?.successRatio ?? 0;
      rows.push({ policy, live: liveRatio, sim: sim.summary.successRatio, diff: (sim.summary.successRatio - liveRatio) * 100, liveP95: live?.p95Ms ?? null, simP95: sim.summary.p95Ms, messaging, host, ablations });
    } finally {
      await heartbeats.stop();
      await testbed.stop();
      await deleteRecordStream(natsUrl, prefix);
    }
  }
  await stopAll();

  const others = MESSAGING_MODELS.filter((m) => m !== opts.messaging);
  const table = new Table({
    head: ['policy', 'live success', 'sim success', 'diff (points)', ...others.map((m) => `diff, ${m} messaging`), 'live p95 ms', 'sim p95 ms', 'messaging ms p50 / p90 (request; reply)', 'host CPU busy (mean / highest)'],
    style: { head: [], border: [] },
  });
  const ms = (x: number | null) => (x === null ? '-' : x.toFixed(1));
  for (const r of rows) {
    const busy = `${formatPercent(r.host.meanBusy)} / ${formatPercent(r.host.maxBusy)}${r.host.representative ? '' : ' SATURATED'}`;
    table.push([r.policy, formatPercent(r.live), formatPercent(r.sim), r.diff.toFixed(1), ...others.map((m) => (((r.ablations[m] ?? 0) - r.live) * 100).toFixed(1)), ms(r.liveP95), ms(r.simP95), `${r.messaging.request.p50.toFixed(1)} / ${r.messaging.request.p90.toFixed(1)}; ${r.messaging.reply.p50.toFixed(1)} / ${r.messaging.reply.p90.toFixed(1)}`, busy]);
  }
  const scale = opts.rateScale === 1 ? '' : `, arrival rates x${opts.rateScale}`;
  const saturated = rows.filter((r) => !r.host.representative);
  if (!opts.json) {
    console.log(`scenario ${scenario.name}, ${queries} measured queries per policy (after ${warmupQueries} warm-up), seed ${workload.seed}${scale}; the simulator takes each live run's heartbeat phases and messaging time (${MESSAGING_MODEL_TEXT[opts.messaging]})`);
    console.log(table.toString());
  }
  if (saturated.length > 0 && !opts.json) console.log(`NOT representative (${saturated.map((r) => r.policy).join(', ')}): the host was saturated (a 1 s window above 90% of all cores), so live and simulated figures cannot be compared there; rerun on a quieter host`);
  const worst = Math.max(...rows.map((r) => Math.abs(r.diff)));
  const round = (x: number) => Number(x.toFixed(2));
  const roundAll = (q: Record<string, number>) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k, round(v)]));
  console.log(
    JSON.stringify({
      scenario: scenario.name,
      queries,
      warmupQueries,
      rateScale: opts.rateScale,
      clustersPerWorker: opts.clustersPerWorker,
      maxDiffPoints: round(worst),
      target: opts.target,
      representative: saturated.length === 0,
      policies: Object.fromEntries(
        rows.map((r) => [r.policy, { live: r.live, sim: r.sim, diffPoints: round(r.diff), messagingMs: { model: opts.messaging, request: roundAll(r.messaging.request), reply: roundAll(r.messaging.reply) }, ablations: Object.fromEntries(Object.entries(r.ablations).map(([m, sim]) => [m, { sim, diffPoints: round((sim - r.live) * 100) }])), host: r.host }]),
      ),
    }),
  );
  process.exit(worst <= opts.target ? 0 : 1);
} catch (e) {
  const code = failureExitCode();
  if (code !== 130) console.error(`validate:sim failed: ${e instanceof Error ? e.message : String(e)}`);
  await stopAll();
  process.exit(code);
}
