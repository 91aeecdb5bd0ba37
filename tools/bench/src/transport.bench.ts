/**
 * Transport benchmark: NestJS's built-in NATS transport against the raw @nats-io client, in one
 * process, against a real NATS server (NATS_URL, default nats://127.0.0.1:4222).
 *
 * Patterns (the two hot paths of ASET):
 *  - request-reply: raw `nc.request()` -> subscription that replies, vs Nest `ClientProxy.send()` ->
 *    `@MessagePattern` handler. Sequential latency (p50/p99 of single round trips) and throughput
 *    with REQUEST_CONCURRENCY requests in flight.
 *  - dispatch: raw `nc.publish()` -> subscription callback, vs Nest `ClientProxy.emit()` ->
 *    `@EventPattern` handler. Messages delivered per second.
 *
 * Both sides JSON-encode and JSON-decode the same `sampleQuery()` on every message and neither
 * validates it, so the difference is the transport layer only. Raw and Nest runs are interleaved,
 * each measurement is repeated REPEATS times and the medians are reported.
 *
 * Progress goes to stderr; the last stdout line is one JSON object.
 */
import 'reflect-metadata';
import { Controller, Module, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxyFactory,
  EventPattern,
  MessagePattern,
  Payload,
  Transport,
  type ClientProxy,
  type NatsOptions,
} from '@nestjs/microservices';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { firstValueFrom, timeout } from 'rxjs';
import { encodeMessage, type InferenceQuery } from '@aset/contracts';
import { sampleQuery, uniqueTestPrefix } from '@aset/contracts/testing';
import { Command } from 'commander';
import { positiveInt } from '@aset/command-line';
import { latencyPercentilesUs, median, perSecond, ratio } from './bench.stats.js';

const cli = new Command('bench:transport')
  .description("NestJS's NATS transport against the raw nats.js client, request-reply and dispatch, interleaved, medians over the repeats (NATS_URL, default nats://127.0.0.1:4222). Last stdout line: one JSON object.")
  .option('--repeats <n>', 'measurements of each transport (medians reported)', positiveInt('--repeats'), 5)
  .parse()
  .opts<{ repeats: number }>();

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const REPEATS = cli.repeats;
const SEQUENTIAL_REQUESTS = 1500;
const CONCURRENT_REQUESTS = 8000;
const REQUEST_CONCURRENCY = 100;
const DISPATCH_MESSAGES = 40_000;
/** Most messages published but not yet delivered; keeps both publishers from flooding the socket. */
const DISPATCH_WINDOW = 2_000;
const DISPATCH_BATCH = 250;
const REQUEST_TIMEOUT_MS = 5_000;

const PREFIX = uniqueTestPrefix('bench');
const SUBJECTS = {
  rawRequest: `${PREFIX}.raw.request`,
  rawEvent: `${PREFIX}.raw.event`,
  nestRequest: `${PREFIX}.nest.request`,
  nestEvent: `${PREFIX}.nest.event`,
};

interface Ack {
  schemaVersion: 1;
  status: 'ok';
  queryId: string;
}

/** What both request handlers answer: a small acknowledgement naming the query. */
function ackOf(query: InferenceQuery): Ack {
  return { schemaVersion: 1, status: 'ok', queryId: query.queryId };
}

const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

/** Counts delivered events; `waitFor` resolves once `target` have arrived. */
class DeliveryCounter {
  delivered = 0;
  private target = Number.POSITIVE_INFINITY;
  private resolve: (() => void) | undefined;

  hit(): void {
    this.delivered += 1;
    if (this.delivered >= this.target && this.resolve) {
      const done = this.resolve;
      this.resolve = undefined;
      done();
    }
  }

  reset(): void {
    this.delivered = 0;
    this.target = Number.POSITIVE_INFINITY;
    this.resolve = undefined;
  }

  waitFor(target: number, timeoutMs: number): Promise<void> {
    this.target = target;
    if (this.delivered >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.delivered}/${target} events delivered within ${timeoutMs} ms`)), timeoutMs);
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

const rawEvents = new DeliveryCounter();
const nestEvents = new DeliveryCounter();

@Controller()
class BenchController {
  @MessagePattern<string>(SUBJECTS.nestRequest)
  answer(@Payload() query: InferenceQuery): Ack {
    return ackOf(query);
  }

  @EventPattern<string>(SUBJECTS.nestEvent)
  receive(@Payload() query: InferenceQuery): void {
    if (query.queryId) nestEvents.hit();
  }
}

@Module({ controllers: [BenchController] })
class BenchModule {}

/** Nest's loggers write warnings to stdout; keep stdout for the result line. */
const stderrLogger: LoggerService = {
  log: () => undefined,
  warn: (message: unknown) => log(`nest warn: ${String(message)}`),
  error: (message: unknown) => log(`nest error: ${String(message)}`),
};

/** One side of the comparison: how to do a round trip and how to dispatch an event. */
interface Side {
  readonly name: 'raw' | 'nest';
  request(query: InferenceQuery): Promise<Ack>;
  dispatch(query: InferenceQuery): void;
  readonly events: DeliveryCounter;
}

interface Measurement {
  requestP50Us: number;
  requestP99Us: number;
  requestsPerSecond: number;
  dispatchPerSecond: number;
}

async function main(): Promise<void> {
  const query = sampleQuery();
  const payloadBytes = encodeMessage(query).byteLength;

  // Connect the raw side first: it is also the reachability check.
  let rawServer: NatsConnection;
  let rawClient: NatsConnection;
  try {
    rawServer = await connect({ servers: NATS_URL, name: 'bench-raw-server', timeout: 3_000, maxReconnectAttempts: 0 });
    rawClient = await connect({ servers: NATS_URL, name: 'bench-raw-client', timeout: 3_000, maxReconnectAttempts: 0 });
  } catch (e) {
    throw new FatalError(`cannot connect to NATS at ${NATS_URL}: ${e instanceof Error ? e.message : String(e)} (set NATS_URL)`);
  }
  log(`NATS ${NATS_URL} (server ${rawClient.info?.version ?? '?'}), prefix ${PREFIX}, payload ${payloadBytes} B`);

  const subscriptions: Subscription[] = [
    rawServer.subscribe(SUBJECTS.rawRequest, {
      callback: (err, msg) => {
        if (err) return;
        const q = msg.json<InferenceQuery>();
        msg.respond(encodeMessage(ackOf(q)));
      },
    }),
    rawServer.subscribe(SUBJECTS.rawEvent, {
      callback: (err, msg) => {
        if (err) return;
        const q = msg.json<InferenceQuery>();
        if (q.queryId) rawEvents.hit();
      },
    }),
  ];
  await rawServer.flush();

  const natsOptions: NatsOptions = { transport: Transport.NATS, options: { servers: [NATS_URL], maxReconnectAttempts: 0 } };
  const microservice: INestMicroservice = await NestFactory.createMicroservice(BenchModule, {
    ...natsOptions,
    options: { ...natsOptions.options, name: 'bench-nest-server' },
    logger: stderrLogger,
  });
  await microservice.listen();
  const nestClient: ClientProxy = ClientProxyFactory.create({
    transport: Transport.NATS,
    options: { ...natsOptions.options, name: 'bench-nest-client' },
  });
  await nestClient.connect();
  // Make sure the microservice's subscriptions reached the server before the first request.
  await (microservice.unwrap() as NatsConnection).flush();

  const raw: Side = {
    name: 'raw',
    events: rawEvents,
    async request(q) {
      const reply = await rawClient.request(SUBJECTS.rawRequest, encodeMessage(q), { timeout: REQUEST_TIMEOUT_MS });
      return reply.json<Ack>();
    },
    dispatch(q) {
      rawClient.publish(SUBJECTS.rawEvent, encodeMessage(q));
    },
  };
  const nest: Side = {
    name: 'nest',
    events: nestEvents,
    request(q) {
      return firstValueFrom(nestClient.send<Ack, InferenceQuery>(SUBJECTS.nestRequest, q).pipe(timeout(REQUEST_TIMEOUT_MS)));
    },
    dispatch(q) {
      nestClient.emit<void, InferenceQuery>(SUBJECTS.nestEvent, q);
    },
  };
  const transports = [raw, nest];

  const started = performance.now();
  log('warming up');
  for (const t of transports) {
    await sequentialLatency(t, query, 300);
    await concurrentThroughput(t, query, 2_000);
    await dispatchThroughput(t, query, 5_000);
  }

  const results = new Map<Side['name'], Measurement[]>(transports.map((t) => [t.name, []]));
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    // Interleave raw and nest in every repeat so that drift on a noisy machine hits both alike.
    for (const t of repeat % 2 === 1 ? transports : [...transports].reverse()) {
      const latency = await sequentialLatency(t, query, SEQUENTIAL_REQUESTS);
      const requestsPerSecond = await concurrentThroughput(t, query, CONCURRENT_REQUESTS);
      const dispatchPerSecond = await dispatchThroughput(t, query, DISPATCH_MESSAGES);
      const m: Measurement = { requestP50Us: latency.p50Us, requestP99Us: latency.p99Us, requestsPerSecond, dispatchPerSecond };
      results.get(t.name)?.push(m);
      log(
        `repeat ${repeat}/${REPEATS} ${t.name.padEnd(4)}: request p50 ${m.requestP50Us} us, p99 ${m.requestP99Us} us, ` +
          `${m.requestsPerSecond} req/s @${REQUEST_CONCURRENCY}, dispatch ${m.dispatchPerSecond} msg/s`,
      );
    }
  }

  const summary = (name: Side['name']): Measurement => {
    const runs = results.get(name) ?? [];
    return {
      requestP50Us: Math.round(median(runs.map((r) => r.requestP50Us))),
      requestP99Us: Math.round(median(runs.map((r) => r.requestP99Us))),
      requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))),
      dispatchPerSecond: Math.round(median(runs.map((r) => r.dispatchPerSecond))),
    };
  };
  const rawSummary = summary('raw');
  const nestSummary = summary('nest');
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  for (const s of subscriptions) s.unsubscribe();
  await nestClient.close();
  await microservice.close();
  await rawClient.close();
  await rawServer.close();

  const result = {
    bench: 'transport',
    payloadBytes,
    raw: rawSummary,
    nest: nestSummary,
    ratios: {
      requestP50NestOverRaw: ratio(nestSummary.requestP50Us, rawSummary.requestP50Us),
      requestsPerSecondRawOverNest: ratio(rawSummary.requestsPerSecond, nestSummary.requestsPerSecond),
      dispatchRawOverNest: ratio(rawSummary.dispatchPerSecond, nestSummary.dispatchPerSecond),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Round trips one after another; returns p50/p99 in µs. */
async function sequentialLatency(t: Side, query: InferenceQuery, count: number): Promise<{ p50Us: number; p99Us: number }> {
  const samples: number[] = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const ack = await t.request(query);
    samples[i] = performance.now() - start;
    if (ack.queryId !== query.queryId) throw new Error(`${t.name}: unexpected reply ${JSON.stringify(ack)}`);
  }
  return latencyPercentilesUs(samples);
}

/** `count` round trips with REQUEST_CONCURRENCY in flight; returns requests per second. */
async function concurrentThroughput(t: Side, query: InferenceQuery, count: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      await t.request(query);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: REQUEST_CONCURRENCY }, worker));
  return perSecond(count, performance.now() - start);
}

/**
 * Publishes `count` events in batches, never more than DISPATCH_WINDOW ahead of delivery, and
 * times until the handler has seen the last one. Returns delivered messages per second.
 */
async function dispatchThroughput(t: Side, query: InferenceQuery, count: number): Promise<number> {
  t.events.reset();
  const delivered = t.events.waitFor(count, 30_000);
  const start = performance.now();
  let published = 0;
  while (published < count) {
    if (published - t.events.delivered < DISPATCH_WINDOW) {
      const batch = Math.min(DISPATCH_BATCH, count - published);
      for (let i = 0; i < batch; i++) t.dispatch(query);
      published += batch;
    }
    // Let the socket write, and the subscriber read, between batches (Nest's emit finishes in microtasks).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await delivered;
  const rate = perSecond(count, performance.now() - start);
  t.events.reset();
  return rate;
}

class FatalError extends Error {}

main().then(
  () => {
    // Nest and nats.js leave timers behind only briefly; do not wait for them.
    process.exit(0);
  },
  (e: unknown) => {
    const message = e instanceof FatalError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`transport bench failed: ${message}\n`);
    process.exit(1);
  },
);
