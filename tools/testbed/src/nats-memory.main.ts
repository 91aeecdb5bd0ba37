import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { integerAtLeast, positiveInt } from '@aset/command-line';
import { sampleQueryRecord } from '@aset/contracts/testing';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { failureExitCode, freePort, onInterrupt, processRssBytes, requireNatsServer, startNatsServer } from '@aset/testbed';

const program = new Command('nats:memory')
  .description(
    "How a NATS server's resident memory behaves as the records stream grows: a private nats-server with JetStream (file store), the records stream and the metrics " +
      "store's durable consumer as the services declare them, query records published at a steady rate and acknowledged as they arrive, the server's RSS sampled " +
      'every 10 s. The soak reports the NATS server without holding it to its growth rule; this shows why (docs/reliability.md).',
  )
  .option('--rate <n>', 'query records published per second', positiveInt('--rate'), 360)
  .option('--seconds <n>', 'how long to publish, at least 30 (RSS is sampled every 10 s and judged over the middle and last thirds)', integerAtLeast('--seconds', 30), 300)
  .option('--json', 'print one JSON object as the last line', false)
  .parse();

const opts = program.opts<{ rate: number; seconds: number; json: boolean }>();
const say = (m: string) => (opts.json ? process.stderr : process.stdout).write(`nats:memory: ${m}\n`);
const stack: (() => Promise<void>)[] = [];
const stopAll = async () => {
  for (const stop of stack.splice(0).reverse()) await stop().catch((e: unknown) => console.error(`nats:memory: stop failed: ${String(e)}`));
};
onInterrupt(stopAll);

try {
  const dir = mkdtempSync(join(tmpdir(), 'aset-nats-memory-'));
  stack.push(async () => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const server = await startNatsServer(requireNatsServer(say), ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { readyAt: { host: '127.0.0.1', port } });
  stack.push(() => server.stop());
  const pid = server.pid as number;
  const bus = await MessageBus.connect({ servers: `nats://127.0.0.1:${port}`, name: 'nats-memory', prefix: 'natsmem', logger: silentBusLogger });
  stack.push(() => bus.close());
  await bus.ensureStream('records');
  let acked = 0;
  const consumption = await bus.consume(
    { durable: 'metricsStore' },
    {
      queryRecord: (_, d) => {
        d.ack();
        acked++;
      },
      runRecord: (_, d) => d.ack(),
      decisionRecord: (_, d) => d.ack(),
    },
  );
  stack.push(() => consumption.close());

  const idleMb = (processRssBytes(pid) ?? 0) / 2 ** 20;
  say(`nats-server ${pid} on port ${port}, idle ${idleMb.toFixed(1)} MB; publishing ${opts.rate} query records/s for ${opts.seconds} s`);
  const samples: { atSec: number; published: number; acked: number; rssMb: number }[] = [];
  const record = sampleQueryRecord();
  let published = 0;
  let failed = 0;
  const startedAt = Date.now();
  const publisher = setInterval(() => {
    const due = Math.min(opts.rate * opts.seconds, Math.floor(((Date.now() - startedAt) / 1000) * opts.rate));
    for (; published < due; published++) {
      const queryId = `q${published}`;
      bus.publishDurable('queryRecord', { runId: 'nats-memory' }, { ...record, runId: 'nats-memory', queryId }, `nats-memory.${queryId}`).catch(() => failed++);
    }
  }, 20);
  try {
    for (let atSec = 10; atSec <= opts.seconds; atSec += 10) {
      await new Promise((r) => setTimeout(r, startedAt + atSec * 1000 - Date.now()));
      const rssMb = Math.round(((processRssBytes(pid) ?? 0) / 2 ** 20) * 10) / 10;
      samples.push({ atSec, published, acked, rssMb });
      say(`${atSec} s: ${published} published, ${acked} acknowledged, RSS ${rssMb} MB`);
    }
  } finally {
    clearInterval(publisher);
  }
  if (failed > 0) throw new Error(`${failed} publications failed`);
  // Thirds of the run, as the soak compares them (the first third is the server's own warm-up).
  const third = opts.seconds / 3;
  const meanOf = (from: number, to: number) => {
    const xs = samples.filter((s) => s.atSec > from && s.atSec <= to).map((s) => s.rssMb);
    return Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
  };
  const result = {
    rate: opts.rate,
    seconds: opts.seconds,
    published,
    storedRecords: await bus.storedCount('queryRecord', { runId: 'nats-memory' }),
    idleMb: Math.round(idleMb * 10) / 10,
    middleThirdMeanMb: meanOf(third, 2 * third),
    lastThirdMeanMb: meanOf(2 * third, 3 * third),
    maxMb: Math.max(...samples.map((s) => s.rssMb)),
    samples,
  };
  say(`stored ${result.storedRecords} records; RSS mean ${result.middleThirdMeanMb} MB over the middle third, ${result.lastThirdMeanMb} MB over the last, at most ${result.maxMb} MB`);
  await stopAll();
  if (opts.json) console.log(JSON.stringify(result));
} catch (e) {
  const code = failureExitCode();
  if (code !== 130) console.error(`nats:memory failed: ${e instanceof Error ? e.message : String(e)}`);
  await stopAll();
  process.exit(code);
}
