/**
 * The topology floor of `bench:pipeline`: the pipeline's message path with services that do nothing,
 * to tell what the path itself costs from what the services do on it.
 *
 * The same processes in the same roles on the same NATS server: a scheduler process forwards each
 * query's bytes to a worker process (round-robin over as many workers as the scenario has
 * clusters), which answers the generator directly with a fixed reply (topology-floor.probe.ts). The
 * generator (this process) sends the pipeline scenario's own arrival schedule at the same rates,
 * paced by the generator's own `paceQueries`, open loop, and counts each latency from its due time,
 * as the workload generator does. No decoding, validation, policy, inference, metrics or records.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encodeMessage, type InferenceQuery } from '@aset/contracts';
import { SystemClock } from '@aset/determinism';
import type { Scenario } from '@aset/scenario';
import { processCpuMs } from '@aset/testbed';
import { buildArrivalSchedule, paceQueries, percentile } from '@aset/workload';
import type { PipelineRun } from './pipeline.search.js';

/**
 * One run of the floor at one offered rate, judged by the pipeline's rule: `timedOut` counts the
 * queries not answered within the reply timeout, `meanMs` is over the answered ones.
 */
export type FloorRun = Pick<PipelineRun, 'ratePerSec' | 'queriesSent' | 'p50Ms' | 'p99Ms' | 'meanMs' | 'timedOut' | 'pass' | 'failures'> & {
  /** CPU time of each of the floor's processes over the run, per query sent, µs (0.1 µs): the generator, the scheduler, worker-0, ... */
  cpuUsPerQuery: Record<string, number>;
};

/** What a floor run of `sent` queries gave: the latencies (ms) of those answered in time. */
export function judgeFloorRun(input: { ratePerSec: number; sent: number; latenciesMs: readonly number[]; p99BoundMs: number }): Omit<FloorRun, 'cpuUsPerQuery'> {
  const sorted = Float64Array.from(input.latenciesMs).sort();
  const timedOut = input.sent - sorted.length;
  const p99Ms = sorted.length > 0 ? percentile(sorted, 0.99) : Number.NaN;
  const failures: string[] = [];
  if (timedOut > 0) failures.push(`${timedOut} of ${input.sent} not answered in time`);
  if (!(p99Ms <= input.p99BoundMs)) failures.push(`p99 ${p99Ms.toFixed(1)} ms over ${input.p99BoundMs} ms`);
  return {
    ratePerSec: input.ratePerSec,
    queriesSent: input.sent,
    p50Ms: sorted.length > 0 ? percentile(sorted, 0.5) : Number.NaN,
    p99Ms,
    meanMs: sorted.length > 0 ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN,
    timedOut,
    pass: failures.length === 0,
    failures,
  };
}

/** The floor's services, started on `natsUrl`; `run` offers the scenario's arrivals at a rate. Stop it with `stop`. */
export class TopologyFloor {
  private readonly clock = new SystemClock();
  private readonly inbox: string;
  /** Each query sent and not yet answered, by its number: its due time and when it was sent (clock ms). */
  private readonly pending = new Map<number, { readonly due: number; readonly sentAt: number }>();
  private latencies: number[] = [];
  private next = 0;

  private constructor(
    private readonly nc: NatsConnection,
    /** The floor's service processes: the scheduler, then worker 0, 1, ... */
    readonly processes: readonly ChildProcess[],
    private readonly prefix: string,
    private readonly scenario: Scenario,
    private readonly payload: Uint8Array,
    private readonly replyTimeoutMs: number,
  ) {
    this.inbox = `_INBOX.${prefix}`;
    nc.subscribe(`${this.inbox}.*`, {
      callback: (_, m) => {
        const n = Number(m.subject.slice(this.inbox.length + 1));
        const sent = this.pending.get(n);
        if (sent === undefined) return;
        this.pending.delete(n);
        const now = this.clock.now();
        if (now - sent.sentAt <= this.replyTimeoutMs) this.latencies.push(now - sent.due);
      },
    });
  }

  /**
   * Starts a scheduler and one worker per cluster of `scenario` (each its own process) and connects
   * the generator. `query` is what each request carries (its bytes, unchanged, to the worker).
   */
  static async start(natsUrl: string, scenario: Scenario, query: InferenceQuery): Promise<TopologyFloor> {
    const prefix = `bench.floor.${process.pid}.${Date.now().toString(36)}`;
    // The compiled probe, from src/ (specs) and from dist/ alike.
    const probe = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'topology-floor.probe.js');
    const workers = scenario.clusters.length;
    const roles = [['scheduler', String(workers)], ...Array.from({ length: workers }, (_, k) => ['worker', String(k)])];
    const children: ChildProcess[] = [];
    try {
      for (const role of roles) children.push(await startProbe(probe, [natsUrl, prefix, ...role]));
      const nc = await connect({ servers: natsUrl, name: 'bench-floor-generator', noAsyncTraces: true });
      const floor = new TopologyFloor(nc, children, prefix, scenario, encodeMessage(query), scenario.spec.workload.replyTimeoutMs);
      await nc.flush();
      return floor;
    } catch (e) {
      for (const c of children) c.kill();
      throw e;
    }
  }

  /**
   * Offers `queries` arrivals of the scenario's schedule (its seed) scaled to `ratePerSec`, and waits
   * until each is answered or past the scenario's reply timeout. Latencies count from the due time.
   */
  async run(ratePerSec: number, queries: number, baseRatePerSec: number, p99BoundMs: number): Promise<FloorRun> {
    this.latencies = [];
    this.pending.clear();
    const cpuBefore = this.cpuUs();
    const schedule = buildArrivalSchedule(this.scenario, { count: queries, seed: this.scenario.spec.workload.seed, rateScale: ratePerSec / baseRatePerSec });
    const startAt = this.clock.now() + 20;
    await paceQueries(schedule, this.clock, startAt, (_i, _stream, due) => {
      const n = this.next++;
      this.pending.set(n, { due, sentAt: this.clock.now() });
      this.nc.publish(`${this.prefix}.schedule`, this.payload, { reply: `${this.inbox}.${n}` });
    });
    const until = this.clock.now() + this.replyTimeoutMs;
    while (this.pending.size > 0 && this.clock.now() < until) await this.clock.sleep(10);
    const cpuAfter = this.cpuUs();
    const cpuUsPerQuery: Record<string, number> = {};
    for (const [name, us] of Object.entries(cpuAfter)) {
      const before = cpuBefore[name];
      if (before !== undefined) cpuUsPerQuery[name] = Math.round(((us - before) / schedule.count) * 10) / 10;
    }
    return { ...judgeFloorRun({ ratePerSec, sent: schedule.count, latenciesMs: this.latencies, p99BoundMs }), cpuUsPerQuery };
  }

  /** CPU µs used so far by the generator (this process) and each floor process that /proc shows. */
  private cpuUs(): Record<string, number> {
    const own = process.cpuUsage();
    const cpu: Record<string, number> = { generator: own.user + own.system };
    this.processes.forEach((p, k) => {
      const ms = p.pid === undefined ? undefined : processCpuMs(p.pid);
      if (ms !== undefined) cpu[k === 0 ? 'scheduler' : `worker-${k - 1}`] = ms * 1000;
    });
    return cpu;
  }

  async stop(): Promise<void> {
    for (const c of this.processes) c.kill();
    await this.nc.close();
  }
}

/** Spawns one probe and resolves once it printed `ready`; rejects when it exits first. */
function startProbe(probe: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [probe, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line === 'ready') resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`topology floor ${args[2]} ${args[3]} exited (${code}) before it was ready: ${stderr.trim() || 'no output'}`)));
  });
}
