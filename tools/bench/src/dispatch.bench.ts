/**
 * Dispatch benchmark: the cost of three ways for the scheduler to pass a query on to a worker, in
 * one process against a real NATS server (NATS_URL, default nats://127.0.0.1:4222):
 *
 *  - forward: `MessageBus.forward` publishes with the generator's reply subject; the worker answers
 *    the generator directly. Blind to a missing worker (the generator times out).
 *  - direct:  `RequestDispatcher.send` publishes with the dispatcher's reply subject and the
 *    generator's in the Aset-Reply-To header; the worker answers the generator directly, and a
 *    missing worker is reported at once ("no responders"). What the scheduler does.
 *  - relay:   the same dispatch, but the worker answers the reply subject (as a responder that
 *    ignores the header does), so the answer goes worker -> scheduler -> generator.
 *
 * Each path runs, on a subject prefix of its own (`<prefix>.<path>`), the same three parts: a
 * requester (`MessageBus.request`, reply validated, as the generator), a front (`MessageBus.serve`
 * on query.schedule, request validated, as the scheduler, which decides nothing) and a back (a raw
 * subscription that parses the query and answers a fixed reply, as a worker without its
 * inference). Paths are interleaved, each measurement repeated REPEATS times, medians reported. CPU
 * per request: this process (all three parts), and every nats-server on the machine (only
 * meaningful when nothing else uses it).
 *
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { REPLY_TO_HEADER, encodeMessage, type DispatchedQuery, type InferenceReply } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { FORWARDED, MessageBus } from '@aset/messaging';
import { Command } from 'commander';
import { positiveInt } from '@aset/command-line';
import { latencyPercentilesUs, median, perSecond, ratio } from './bench.stats.js';
import { cpuPerRow, cpuSnapshot } from './process-cpu.sampler.js';

const cli = new Command('bench:dispatch')
  .description('The cost of three ways for the scheduler to pass a query to a worker (forward, direct, relay), interleaved, medians over the repeats (NATS_URL, default nats://127.0.0.1:4222). Last stdout line: one JSON object.')
  .option('--repeats <n>', 'measurements of each path (medians reported)', positiveInt('--repeats'), 5)
  .parse()
  .opts<{ repeats: number }>();

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const REPEATS = cli.repeats;
const SEQUENTIAL_REQUESTS = 1500;
const CONCURRENT_REQUESTS = 8000;
const REQUEST_CONCURRENCY = 100;
const REQUEST_TIMEOUT_MS = 5_000;
const PATHS = ['forward', 'direct', 'relay'] as const;
type Path = (typeof PATHS)[number];

const PREFIX = uniqueTestPrefix('dispatchbench');
const quiet = { log: () => {}, warn: (m: string) => log(`bus warn: ${m}`), error: (m: string) => log(`bus error: ${m}`) };
const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

interface Measurement {
  p50Us: number;
  p99Us: number;
  requestsPerSecond: number;
  /** CPU µs per request of this process, and of nats-server (undefined where /proc is unreadable). */
  nodeCpuUs: number;
  natsCpuUs: number | undefined;
}

async function main(): Promise<void> {
  const requesters = new Map<Path, MessageBus>();
  const fronts = new Map<Path, MessageBus>();
  let back: NatsConnection;
  try {
    for (const path of PATHS) {
      requesters.set(path, await MessageBus.connect({ servers: NATS_URL, name: `bench-generator-${path}`, prefix: `${PREFIX}.${path}`, logger: quiet }));
      fronts.set(path, await MessageBus.connect({ servers: NATS_URL, name: `bench-scheduler-${path}`, prefix: `${PREFIX}.${path}`, logger: quiet }));
    }
    back = await connect({ servers: NATS_URL, name: 'bench-worker' });
  } catch (e) {
    process.stderr.write(`dispatch bench failed: cannot connect to NATS at ${NATS_URL}: ${e instanceof Error ? e.message : String(e)} (set NATS_URL)\n`);
    process.exit(1);
  }
  const query = sampleQuery();
  log(`NATS ${NATS_URL} (server ${back.info?.version ?? '?'}), prefix ${PREFIX}, query ${encodeMessage(query).byteLength} B`);

  const decision = { clusterId: 'c1', variantId: 'v1', policy: 'bench', decidedAt: 1 };
  for (const path of PATHS) {
    const front = fronts.get(path) as MessageBus;
    const dispatcher = front.dispatcher('clusterInfer', (d) => {
      log(`no responders on ${d.subject}`);
      return FORWARDED;
    });
    front.serve('scheduleQuery', (q, req) => {
      const dispatched: DispatchedQuery = { ...q, decision };
      if (path === 'forward') front.forward('clusterInfer', { clusterId: decision.clusterId }, dispatched, req.replyTo);
      else dispatcher.send({ clusterId: decision.clusterId }, dispatched, req.replyTo);
      return FORWARDED;
    });
    back.subscribe(front.subject('clusterInfer', { clusterId: decision.clusterId }), {
      callback: (err, msg: Msg) => {
        if (err) return;
        const q = msg.json<DispatchedQuery>();
        const reply: InferenceReply = { schemaVersion: 1, status: 'completed', queryId: q.queryId, decision: q.decision, timing: { receivedAt: 1, startedAt: 1, finishedAt: 1, emulatedNetworkMs: null }, prediction: 0 };
        const to = path === 'relay' ? msg.reply : (msg.headers?.get(REPLY_TO_HEADER) || msg.reply);
        if (to) back.publish(to, encodeMessage(reply));
      },
    });
  }
  await Promise.all([...[...fronts.values()].map((f) => f.flush()), back.flush()]);

  const request = async (path: Path): Promise<void> => {
    const outcome = await (requesters.get(path) as MessageBus).request('scheduleQuery', query, REQUEST_TIMEOUT_MS);
    if (!outcome.ok || outcome.reply.queryId !== query.queryId) throw new Error(`${path}: unexpected outcome ${JSON.stringify(outcome)}`);
  };
  const sequential = async (path: Path, count: number) => {
    const samples = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const start = performance.now();
      await request(path);
      samples[i] = performance.now() - start;
    }
    return latencyPercentilesUs(samples);
  };
  const concurrent = async (path: Path, count: number) => {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: REQUEST_CONCURRENCY }, async () => {
        while (next < count) {
          next += 1;
          await request(path);
        }
      }),
    );
    return perSecond(count, performance.now() - start);
  };

  const started = performance.now();
  log('warming up');
  for (const path of PATHS) {
    await sequential(path, 300);
    await concurrent(path, 2_000);
  }
  const results = new Map<Path, Measurement[]>(PATHS.map((p) => [p, []]));
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    // Rotate the order every repeat so that drift on a noisy machine hits every path alike.
    const order = PATHS.map((_, i) => PATHS[(i + repeat) % PATHS.length] as Path);
    for (const path of order) {
      const before = cpuSnapshot(undefined);
      const latency = await sequential(path, SEQUENTIAL_REQUESTS);
      const requestsPerSecond = await concurrent(path, CONCURRENT_REQUESTS);
      const cpu = cpuPerRow(before, cpuSnapshot(undefined), SEQUENTIAL_REQUESTS + CONCURRENT_REQUESTS);
      const m: Measurement = { p50Us: latency.p50Us, p99Us: latency.p99Us, requestsPerSecond, nodeCpuUs: cpu.node, natsCpuUs: cpu.nats };
      results.get(path)?.push(m);
      log(`repeat ${repeat}/${REPEATS} ${path.padEnd(7)}: p50 ${m.p50Us} us, p99 ${m.p99Us} us, ${m.requestsPerSecond} req/s @${REQUEST_CONCURRENCY}, cpu ${m.nodeCpuUs} us/req (nats-server ${m.natsCpuUs ?? '?'})`);
    }
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const summary = (path: Path) => {
    const runs = results.get(path) ?? [];
    const nats = runs.map((r) => r.natsCpuUs).filter((v): v is number => v !== undefined);
    return {
      p50Us: Math.round(median(runs.map((r) => r.p50Us))),
      p99Us: Math.round(median(runs.map((r) => r.p99Us))),
      requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
      nodeCpuUsPerRequest: Math.round(median(runs.map((r) => r.nodeCpuUs)) * 10) / 10,
      ...(nats.length ? { natsCpuUsPerRequest: Math.round(median(nats) * 10) / 10 } : {}),
    };
  };
  const forward = summary('forward');
  const direct = summary('direct');
  const relay = summary('relay');
  for (const bus of [...requesters.values(), ...fronts.values()]) await bus.close();
  await back.close();
  const result = {
    bench: 'dispatch',
    forward,
    direct,
    relay,
    ratios: {
      p50DirectOverForward: ratio(direct.p50Us, forward.p50Us),
      p50RelayOverForward: ratio(relay.p50Us, forward.p50Us),
      throughputForwardOverDirect: ratio(forward.requestsPerSecond, direct.requestsPerSecond),
      throughputForwardOverRelay: ratio(forward.requestsPerSecond, relay.requestsPerSecond),
      cpuDirectOverForward: ratio(direct.nodeCpuUsPerRequest, forward.nodeCpuUsPerRequest),
      cpuRelayOverForward: ratio(relay.nodeCpuUsPerRequest, forward.nodeCpuUsPerRequest),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`dispatch bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
