/**
 * Worker benchmark: what one worker process serves per second on one variant, with and without
 * dynamic batching, against bare onnxruntime-node on the same model with the same threads.
 *
 * - The worker is the real service (apps/worker, its own process) hosting one cluster of `--slots`
 *   slots and the one variant, network and hardware emulation off, `--threads` intra-op threads,
 *   inference where the worker runs it by default (INFERENCE_THREAD_POOL=auto: on inference threads
 *   for a variant profiled at 0.5 ms or more, else on the event loop; `--thread-pool` changes it).
 *   Unbatched: the variant without a `batching` entry; batched: `maxBatchSize` `--max-batch`,
 *   `maxQueueDelayMs` `--delay-ms`. Both places, whatever the default: unbatched on the event loop
 *   (INFERENCE_THREAD_POOL=0) and on one inference thread per slot (INFERENCE_THREAD_POOL=`--slots`).
 * - The load is closed loop from this process: `--in-flight` requests to `cluster.<id>.infer` at
 *   all times (pre-encoded queries of held-out inputs, replies on one subscription), so the worker is
 *   never idle for want of work; counted over `--seconds` after `--warm-seconds`. Every counted
 *   reply must be `completed`.
 * - Bare onnxruntime-node (`bare-ort.probe.ts`, its own process): one session with the worker's
 *   session options, running batch-1 samples; one such process per slot, all at once, as the unbatched
 *   worker's slots on inference threads run.
 *
 * The five measurements are interleaved `--runs` times and the medians reported:
 * `batchingRatio` = batched / unbatched, `workerVsBare` = unbatched / bare (the worker as it runs by
 * default), `eventLoopVsBare` = unbatched on the event loop / bare, `threadPoolGain` = unbatched on
 * inference threads / unbatched on the event loop. Progress goes to stderr (with where the default
 * ran the variant, from the worker's /health); the last stdout line is one JSON object.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command, InvalidArgumentError } from 'commander';
import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { SubjectSpace, encodeTensor, type DispatchedQuery } from '@aset/contracts';
import { sampleQuery } from '@aset/contracts/testing';
import { DEFAULT_MANIFEST, REPO_ROOT, nonNegativeNumber, positiveInt, positiveNumber, runCommand } from '@aset/command-line';
import { MAX_BATCH_SIZE, loadHeldOut, readZoo } from '@aset/model-zoo';
import { ServiceProcess, appEntry, freePort, processCpuMs, provideNats, stopStack } from '@aset/testbed';
import { median, ratio } from './bench.stats.js';

const program = new Command('bench:worker')
  .description('Worker throughput on one variant with and without dynamic batching, against bare onnxruntime-node on the same model and threads')
  .option('--variant <id>', 'model variant (a small one shows what batching saves)', 'digits-mlp-s')
  .option('--slots <n>', "the cluster's slots (and the bare baseline's processes, one per slot, running at once)", positiveInt('--slots'), 1)
  .option('--threads <n>', 'onnxruntime intra-op threads, worker and bare alike', positiveInt('--threads'), 1)
  .option('--thread-pool <n|auto>', "the worker's INFERENCE_THREAD_POOL for the batched and unbatched runs: auto (the worker's default) or a number of inference threads (0: on its event loop)", threadPoolSetting, 'auto' as const)
  .option('--max-batch <n>', `batched worker: maxBatchSize (at most ${MAX_BATCH_SIZE})`, positiveInt('--max-batch'), MAX_BATCH_SIZE)
  .option('--delay-ms <ms>', 'batched worker: maxQueueDelayMs', nonNegativeNumber('--delay-ms'), 1)
  .option('--in-flight <n>', 'requests kept in flight to the worker', positiveInt('--in-flight'), 64)
  .option('--seconds <s>', 'measured seconds per measurement', positiveNumber('--seconds'), 5)
  .option('--warm-seconds <s>', 'unmeasured seconds before each measurement', nonNegativeNumber('--warm-seconds'), 2)
  .option('--runs <n>', 'interleaved rounds of the four measurements (medians reported)', positiveInt('--runs'), 3)
  .option('--only <list>', 'measure only these, comma-separated: unbatched, batched, onEventLoop, onThreadPool, bare (ratios of what was not measured are null)')
  .parse();
const opts = program.opts<{ variant: string; slots: number; threads: number; threadPool: number | 'auto'; maxBatch: number; delayMs: number; inFlight: number; seconds: number; warmSeconds: number; runs: number; only?: string }>();
const MEASUREMENTS = ['unbatched', 'batched', 'onEventLoop', 'onThreadPool', 'bare'] as const;
const only = new Set(opts.only === undefined ? MEASUREMENTS : opts.only.split(',').map((m) => m.trim()));
for (const m of only) if (!(MEASUREMENTS as readonly string[]).includes(m)) program.error(`--only: unknown measurement "${m}"; expected some of ${MEASUREMENTS.join(', ')}`);

const say = (m: string) => process.stderr.write(`[bench:worker] ${m}\n`);
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
const CLUSTER = 'bench';
const execFileAsync = promisify(execFile);

interface Measured {
  perSec: number;
  cpuUsPerQuery: number;
}

await runCommand('bench:worker', async () => {
  if (opts.maxBatch > MAX_BATCH_SIZE) throw new Error(`--max-batch: ${opts.maxBatch} is past the largest profiled batch size, ${MAX_BATCH_SIZE}`);
  const zoo = readZoo(DEFAULT_MANIFEST);
  const variant = zoo.requireVariant(opts.variant);
  const task = zoo.task(variant.task);
  if (!task) throw new Error(`${zoo.manifestFile}: variant ${variant.id} names unknown task ${variant.task}`);
  const state = mkdtempSync(join(tmpdir(), 'aset-worker-bench-'));
  const scenarioFile = (batched: boolean) => {
    const file = join(state, `${batched ? 'batched' : 'unbatched'}.yaml`);
    const batching = batched ? `, batching: { ${variant.id}: { maxBatchSize: ${opts.maxBatch}, maxQueueDelayMs: ${opts.delayMs} } }` : '';
    writeFileSync(
      file,
      `schemaVersion: 1
name: worker-bench
hardwareClasses: { host: { speedFactor: 1 } }
clusters: [{ id: ${CLUSTER}, tier: cloud, hardware: host, slots: ${opts.slots}, variants: [${variant.id}]${batching} }]
sources: [{ id: bench }]
links: [{ source: bench, cluster: ${CLUSTER}, rttMs: 0, bandwidthMbps: 10000, jitterMs: 0 }]
applications: [{ id: probe, task: ${variant.task}, slo: { maxLatencyMs: 1000, minAccuracy: 0 } }]
workload: { queries: 10, arrivals: [{ source: bench, app: probe, process: { kind: poisson, ratePerSec: 100 } }] }
`,
    );
    return file;
  };
  const files = { unbatched: scenarioFile(false), batched: scenarioFile(true) };
  /** The worker runs: scenario file and inference threads. */
  const modes = {
    unbatched: { file: files.unbatched, pool: opts.threadPool },
    batched: { file: files.batched, pool: opts.threadPool },
    onEventLoop: { file: files.unbatched, pool: 0 },
    onThreadPool: { file: files.unbatched, pool: opts.slots },
  } as const;
  type Mode = keyof typeof modes;

  const stops = stopStack();
  try {
    const nats = await provideNats({ env: process.env['NATS_URL'], dataDir: join(state, 'nats'), say });
    stops.push(() => nats.stop());
    const nc = await connect({ servers: nats.url });
    stops.push(() => nc.close());
    const prefix = `aset_workerbench_${Date.now().toString(36)}`;
    const infer = new SubjectSpace(prefix).subject('clusterInfer', { clusterId: CLUSTER });
    const payloads = encodeQueries(zoo, variant.id, variant.task, task.inputShape);

    const measureWorker = async (mode: Mode, round: number): Promise<Measured> => {
      const port = await freePort();
      const worker = ServiceProcess.start({
        name: `worker-${mode}-${round}`,
        entry: appEntry('worker'),
        cwd: REPO_ROOT,
        env: {
          NATS_URL: nats.url,
          NATS_PREFIX: prefix,
          SCENARIO_FILE: modes[mode].file,
          MODELS_MANIFEST: DEFAULT_MANIFEST,
          CLUSTER_ID: CLUSTER,
          INSTANCE_ID: `bench-${mode}`,
          EMULATE_NETWORK: 'false',
          EMULATE_HARDWARE: 'false',
          EMULATE_DYNAMICS: 'false',
          INFERENCE_THREADS: String(opts.threads),
          INFERENCE_THREAD_POOL: String(modes[mode].pool),
          LOG_LEVEL: 'warn',
          HTTP_PORT: String(port),
        },
        logFile: join(state, `worker-${mode}-${round}.log`),
      });
      try {
        await worker.waitHealthy(`http://127.0.0.1:${port}/health`, 120_000);
        if (round === 1) say(`worker ${mode}: ${await inferencePlacement(port)}`);
        const pid = worker.child.pid as number;
        return await closedLoop(nc, infer, payloads, pid);
      } finally {
        await worker.stop();
      }
    };

    const results: Record<Mode | 'bare', Measured[]> = { unbatched: [], batched: [], onEventLoop: [], onThreadPool: [], bare: [] };
    say(`${variant.id}: ${opts.slots} slot(s), ${opts.threads} intra-op thread(s), INFERENCE_THREAD_POOL=${opts.threadPool}; batched: up to ${opts.maxBatch}, ${opts.delayMs} ms of queue delay; ${opts.inFlight} in flight; ${opts.runs} round(s) of ${opts.seconds} s`);
    for (let r = 1; r <= opts.runs; r++) {
      for (const mode of ['unbatched', 'batched', 'onEventLoop', 'onThreadPool'] as const) {
        if (!only.has(mode)) continue;
        const m = await measureWorker(mode, r);
        results[mode].push(m);
        say(`round ${r}: worker ${mode} ${round(m.perSec)} queries/s (${round(m.cpuUsPerQuery, 1)} µs of worker CPU per query)`);
      }
      if (!only.has('bare')) continue;
      const bare = await bareOrt(variant.id);
      results.bare.push(bare);
      say(`round ${r}: bare onnxruntime-node ${round(bare.perSec)} runs/s (${round(bare.cpuUsPerQuery, 1)} µs of CPU per run)`);
    }
    const perSec = (k: keyof typeof results) => median(results[k].map((m) => m.perSec));
    const batchedPerSec = perSec('batched');
    const unbatchedPerSec = perSec('unbatched');
    const bareOrtPerSec = perSec('bare');
    const onEventLoopPerSec = perSec('onEventLoop');
    const onThreadPoolPerSec = perSec('onThreadPool');
    console.log(
      JSON.stringify({
        variant: variant.id,
        batchedPerSec: round(batchedPerSec),
        unbatchedPerSec: round(unbatchedPerSec),
        bareOrtPerSec: round(bareOrtPerSec),
        batchingRatio: round(ratio(batchedPerSec, unbatchedPerSec), 3),
        workerVsBare: round(ratio(unbatchedPerSec, bareOrtPerSec), 3),
        unbatchedOnEventLoopPerSec: round(onEventLoopPerSec),
        eventLoopVsBare: round(ratio(onEventLoopPerSec, bareOrtPerSec), 3),
        unbatchedOnThreadPoolPerSec: round(onThreadPoolPerSec),
        threadPoolGain: round(ratio(onThreadPoolPerSec, onEventLoopPerSec), 3),
        cpuUsPerQuery: Object.fromEntries(Object.entries(results).map(([k, ms]) => [k, round(median(ms.map((m) => m.cpuUsPerQuery)), 1)])),
        settings: { slots: opts.slots, threads: opts.threads, threadPool: opts.threadPool, maxBatch: opts.maxBatch, delayMs: opts.delayMs, inFlight: opts.inFlight, seconds: opts.seconds, runs: opts.runs },
      }),
    );
  } finally {
    await stops.stopAll();
  }
});

/** INFERENCE_THREAD_POOL: `auto` or an integer 0-64, as the worker takes it. */
function threadPoolSetting(value: string): number | 'auto' {
  if (value === 'auto') return value;
  if (/^\d{1,2}$/.test(value) && Number(value) <= 64) return Number(value);
  throw new InvalidArgumentError(`--thread-pool expects auto or an integer 0-64, got "${value}"`);
}

/** Where the worker on `port` runs its sessions, as its /health says. */
async function inferencePlacement(port: number): Promise<string> {
  const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { info?: { models?: { inference?: string } } };
  return health.info?.models?.inference ?? 'not in /health';
}

/** 256 dispatched queries of held-out inputs, encoded once: the load reuses them. */
function encodeQueries(zoo: ReturnType<typeof readZoo>, variantId: string, taskId: string, inputShape: readonly number[]): Uint8Array[] {
  const held = loadHeldOut(zoo, taskId);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const n = Math.min(256, held.count);
  return Array.from({ length: n }, (_, i) => {
    const q: DispatchedQuery = {
      ...sampleQuery({ queryId: `q${i}`, app: 'probe', task: taskId, source: 'bench', slo: { maxLatencyMs: 1000, minAccuracy: 0 } }),
      input: encodeTensor(held.inputs.slice(i * size, (i + 1) * size), [1, ...inputShape]),
      decision: { clusterId: CLUSTER, variantId, policy: 'bench', decidedAt: 0 },
    };
    return new TextEncoder().encode(JSON.stringify(q));
  });
}

/**
 * Keeps `--in-flight` requests outstanding (each reply sends the next), replies on one wildcard
 * inbox subscription; counts completed replies over the measured window, and the worker's CPU.
 * Throws on any reply that is not `completed`.
 */
async function closedLoop(nc: NatsConnection, subject: string, payloads: readonly Uint8Array[], pid: number): Promise<Measured> {
  const inbox = createInbox();
  const decoder = new TextDecoder();
  let sent = 0;
  let counted = 0;
  let counting = false;
  let stopped = false;
  let failure: string | undefined;
  const send = () => {
    const i = sent++;
    nc.publish(subject, payloads[i % payloads.length] as Uint8Array, { reply: `${inbox}.${i}` });
  };
  const sub = nc.subscribe(`${inbox}.*`, {
    callback: (err, msg) => {
      if (err) {
        failure ??= err.message;
        return;
      }
      const text = decoder.decode(msg.data);
      if (!text.includes('"status":"completed"')) failure ??= `the worker answered ${text.slice(0, 300)}`;
      if (counting) counted++;
      if (!stopped) send();
    },
  });
  for (let i = 0; i < opts.inFlight; i++) send();
  await new Promise((r) => setTimeout(r, opts.warmSeconds * 1000));
  counting = true;
  const cpu0 = processCpuMs(pid) ?? NaN;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  const elapsedMs = performance.now() - t0;
  const cpuMs = (processCpuMs(pid) ?? NaN) - cpu0;
  const done = counted;
  counting = false;
  stopped = true;
  await new Promise((r) => setTimeout(r, 200));
  sub.unsubscribe();
  if (failure) throw new Error(failure);
  if (done === 0) throw new Error(`no reply from ${subject} in ${opts.seconds} s`);
  return { perSec: (done * 1000) / elapsedMs, cpuUsPerQuery: (cpuMs * 1000) / done };
}

/**
 * Bare onnxruntime-node (bare-ort.probe.ts): one process per slot, each one session running one
 * batch at a time, all at once, as a worker's slots on as many inference threads would (onnxruntime-node
 * runs a session synchronously on its caller's thread, so several loops in one process take turns).
 * Runs/s summed; CPU per run over all of them.
 */
async function bareOrt(variantId: string): Promise<Measured> {
  const probe = join(dirname(fileURLToPath(import.meta.url)), 'bare-ort.probe.js');
  const runs = await Promise.all(
    Array.from({ length: opts.slots }, async () => {
      const { stdout } = await execFileAsync(process.execPath, [probe, variantId, String(opts.threads), '1', String(opts.seconds), String(opts.warmSeconds)], {
        cwd: REPO_ROOT,
        maxBuffer: 1 << 20,
      });
      const last = stdout.trim().split('\n').at(-1) ?? '';
      return JSON.parse(last) as { runsPerSec: number; cpuUsPerRun: number };
    }),
  );
  const perSec = runs.reduce((a, r) => a + r.runsPerSec, 0);
  return { perSec, cpuUsPerQuery: runs.reduce((a, r) => a + r.runsPerSec * r.cpuUsPerRun, 0) / perSec };
}
