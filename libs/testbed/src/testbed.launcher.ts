import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunSummarySchema, type RunSummary } from '@aset/contracts';
import { readZoo } from '@aset/model-zoo';
import { readScenarioFile, type Scenario } from '@aset/scenario';
import type { RunReport } from '@aset/workload';
import { freePort } from './free.port.js';
import type { Say } from './managed.service.js';
import { DEFAULT_MANIFEST, REPO_ROOT, scenarioPath } from '@aset/command-line';
import { appEntry } from './repo.paths.js';
import { ServiceProcess, type ServiceProcessOptions } from './service.process.js';
import { HostSampler, type HostUsage } from './host.sampler.js';
import { FaultInjector, faultSteps, type AppliedFault, type FaultPlan } from './fault.plan.js';
import { MessageBus } from '@aset/messaging';

const QUIET = { log: () => {}, warn: () => {}, error: () => {} };

/** Starts a service process, with the promise that it answers GET /health on its HTTP_PORT within `readyTimeoutMs`. */
function launchService(options: ServiceProcessOptions, readyTimeoutMs: number): { proc: ServiceProcess; ready: Promise<void> } {
  const proc = ServiceProcess.start(options);
  return { proc, ready: proc.waitHealthy(`http://127.0.0.1:${options.env['HTTP_PORT']}/health`, readyTimeoutMs) };
}

export interface TestbedOptions {
  /** Scenario name under scenarios/ or a file path. */
  scenario: string;
  manifest?: string;
  policy: string;
  /** Subject prefix; give each concurrent testbed its own. */
  prefix: string;
  natsUrl: string;
  databaseUrl: string;
  /** Service logs go here, one file per process. */
  logDir: string;
  say: Say;
  /** Extra environment for every service (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Extra environment for the scheduler alone, for `policy` (e.g. ASET_CHECKPOINT); {@link Testbed.usePolicy} replaces it. */
  schedulerEnv?: Record<string, string>;
  readyTimeoutMs?: number;
}

export interface RunOptions {
  runId: string;
  queries?: number;
  warmupQueries?: number;
  rateScale?: number;
  seed?: number;
  /** Show the generator's progress bar and summary on this terminal. */
  interactive?: boolean;
  replyTimeoutMs?: number;
  /** Faults to inject into the services during the run, timed on its scenario clock ({@link FaultPlan}). */
  faults?: FaultPlan;
}

/**
 * The live testbed on one host: metrics store, scheduler and one worker per scenario cluster,
 * each its own process, wired over NATS; the workload generator runs once per {@link Testbed.run}.
 */
export class Testbed {
  private constructor(
    readonly options: TestbedOptions,
    readonly scenario: Scenario,
    readonly metricsUrl: string,
    readonly processes: Map<string, ServiceProcess>,
    private readonly baseEnv: Record<string, string>,
    private currentPolicy: string,
  ) {}

  /** The policy the scheduler runs now (the one runs are recorded under). */
  get policy(): string {
    return this.currentPolicy;
  }

  /** Starts every service and waits until each answers /health. Stops what it started if one fails. */
  static async start(options: TestbedOptions): Promise<Testbed> {
    const manifest = options.manifest ?? DEFAULT_MANIFEST;
    const scenarioFile = scenarioPath(options.scenario);
    const scenario = readScenarioFile(scenarioFile, { zoo: readZoo(manifest) });
    mkdirSync(options.logDir, { recursive: true });
    const baseEnv: Record<string, string> = {
      NATS_URL: options.natsUrl,
      NATS_PREFIX: options.prefix,
      SCENARIO_FILE: scenarioFile,
      MODELS_MANIFEST: manifest,
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const processes = new Map<string, ServiceProcess>();
    const pending: Promise<void>[] = [];
    const launch = async (key: string, app: Parameters<typeof appEntry>[0], env: Record<string, string>) => {
      const port = await freePort();
      const { proc, ready } = launchService(
        { name: key, entry: appEntry(app), cwd: REPO_ROOT, env: { ...baseEnv, ...env, HTTP_PORT: String(port) }, logFile: join(options.logDir, `${key.replace(/\s+/g, '-')}.log`) },
        options.readyTimeoutMs ?? 60_000,
      );
      processes.set(key, proc);
      pending.push(ready);
      return port;
    };
    let metricsPort = 0;
    try {
      metricsPort = await launch('metrics-store', 'metrics-store', { DATABASE_URL: options.databaseUrl });
      await launch('scheduler', 'scheduler', { ...options.schedulerEnv, SCHEDULER_POLICY: options.policy });
      for (const c of scenario.clusters) await launch(`worker-${c.id}`, 'worker', { CLUSTER_ID: c.id });
      await Promise.all(pending);
      // A service that died at start while its health URL answered from another process still counts as failed.
      const dead = [...processes.values()].filter((p) => !p.running);
      if (dead.length > 0) throw new Error(`${dead.map((p) => p.name).join(', ')} exited during start (logs in ${options.logDir})`);
    } catch (e) {
      await Promise.allSettled([...processes.values()].map((p) => p.stop()));
      throw e;
    }
    options.say(`testbed up: metrics store, scheduler (${options.policy}), ${scenario.clusters.length} workers; logs in ${options.logDir}`);
    return new Testbed(options, scenario, `http://127.0.0.1:${metricsPort}`, processes, baseEnv, options.policy);
  }

  /**
   * Runs the workload generator once and returns its report, with how busy the host and each
   * service were meanwhile (`host`: a saturated host makes the run not representative). Rejects if
   * the generator fails or loses records.
   */
  async run(run: RunOptions): Promise<RunReport & { host: HostUsage; faults: AppliedFault[] }> {
    const steps = run.faults ? faultSteps(run.faults, this.services()) : [];
    const summaryFile = join(this.options.logDir, `${run.runId}.summary.json`);
    const env: Record<string, string> = {
      ...this.baseEnv,
      HTTP_PORT: String(await freePort()),
      RUN_ID: run.runId,
      RUN_POLICY: this.currentPolicy,
      SUMMARY_FILE: summaryFile,
      PROGRESS: run.interactive ? 'on' : 'off',
    };
    if (run.queries !== undefined) env['QUERIES'] = String(run.queries);
    if (run.warmupQueries !== undefined) env['WARMUP_QUERIES'] = String(run.warmupQueries);
    if (run.rateScale !== undefined) env['RATE_SCALE'] = String(run.rateScale);
    if (run.seed !== undefined) env['SEED'] = String(run.seed);
    if (run.replyTimeoutMs !== undefined) env['REPLY_TIMEOUT_MS'] = String(run.replyTimeoutMs);
    // Connected, and listening for the run clock, before the generator starts: nothing is left
    // running when the connection fails, and the clock's first announcement is heard.
    const bus = await MessageBus.connect({ servers: this.options.natsUrl, name: `testbed-${run.runId}`, prefix: this.options.prefix, logger: QUIET });
    try {
      const faults = steps.length > 0 ? await this.injectOnRunClock(bus, run.runId, steps) : undefined;
      const generator = ServiceProcess.start({
        name: 'workload-generator',
        entry: appEntry('workload-generator'),
        cwd: REPO_ROOT,
        env,
        logFile: join(this.options.logDir, `generator-${run.runId}.log`),
        inheritOutput: run.interactive ?? false,
      });
      this.processes.set(`workload-generator ${run.runId}`, generator);
      const sampler = new HostSampler(() => new Map([...this.processes].map(([name, p]) => [name, p.child.pid])));
      const code = await generator.exited;
      const host = sampler.stop();
      const applied = (await faults?.stop()) ?? [];
      this.processes.delete(`workload-generator ${run.runId}`);
      if (code !== 0) throw new Error(`workload generator exited with code ${code}:\n${generator.tail()}`);
      // Recorded with the run, so that an analyst can tell a run on a saturated host from the others.
      await bus.publishDurable('runRecord', { runId: run.runId }, { schemaVersion: 1, kind: 'host', runId: run.runId, host, measuredAt: Date.now() }, `${run.runId}.host`);
      return { ...(JSON.parse(readFileSync(summaryFile, 'utf8')) as RunReport), host, faults: applied };
    } finally {
      await bus.close();
    }
  }

  /**
   * Listens for the run's clock (the generator announces it on NATS) and, once heard, applies the
   * fault steps at their scenario times. `stop` ends the injection and returns what was applied.
   */
  private async injectOnRunClock(bus: MessageBus, runId: string, steps: ReturnType<typeof faultSteps>): Promise<{ stop(): Promise<AppliedFault[]> }> {
    const injector = new FaultInjector(steps, {
      kill: (s) => this.kill(s),
      pause: (s) => this.service(s).pause(),
      resume: (s) => this.service(s).resume(),
      restart: (s) => this.restart(s),
    });
    let started = false;
    const sub = bus.subscribe('runClock', (clock) => {
      if (started || clock.runId !== runId || clock.phase !== 'running') return;
      started = true;
      injector.start(clock.originAt);
    });
    await bus.flush();
    return {
      stop: async () => {
        sub.unsubscribe();
        await injector.stop();
        return injector.applied;
      },
    };
  }

  /** The services a fault plan can name: `metrics-store`, `scheduler` and `worker-<cluster>`. */
  services(): string[] {
    return [...this.processes.keys()].filter((k) => !k.startsWith('workload-generator'));
  }

  /**
   * Brings every service back after faults: resumes the paused ones and restarts those that exited,
   * so that the next run starts on a whole testbed. Returns the services it brought back.
   */
  async heal(): Promise<string[]> {
    const healed: string[] = [];
    for (const key of this.services()) {
      const proc = this.service(key);
      if (proc.running && proc.paused) {
        proc.resume();
        healed.push(key);
      } else if (!proc.running) {
        await this.restart(key);
        healed.push(key);
      }
    }
    return healed;
  }

  /** The metrics store's summary of a run. */
  async summary(runId: string): Promise<RunSummary | undefined> {
    const res = await fetch(`${this.metricsUrl}/reports/summary?run=${encodeURIComponent(runId)}`);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET /reports/summary?run=${runId}: HTTP ${res.status}: ${await res.text()}`);
    return RunSummarySchema.parse(await res.json());
  }

  /** Polls the metrics store until every record of the run is stored. */
  async waitIngested(runId: string, timeoutMs = 60_000): Promise<RunSummary> {
    const deadline = Date.now() + timeoutMs;
    let last: RunSummary | undefined;
    while (Date.now() < deadline) {
      last = await this.summary(runId);
      if (last?.complete) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`run ${runId} not fully ingested after ${timeoutMs} ms: ${last ? `${last.storedQueries}/${last.expectedQueries ?? '?'} stored` : 'unknown to the store'}`);
  }

  /**
   * Replaces the scheduler by one running `policy`, with `env` on top of the testbed's environment
   * (e.g. ASET_CHECKPOINT; the previous scheduler environment, `schedulerEnv` included, is not kept), and waits until it answers
   * /health. Workers and the metrics store keep running, so several policies can be run one after the
   * other on the same services. Call it between runs, not during one. Throws, with the log's tail, if
   * the new scheduler does not come up (then no scheduler runs).
   */
  async usePolicy(policy: string, env: Record<string, string> = {}): Promise<void> {
    const old = this.service('scheduler');
    await old.stop();
    const port = await freePort();
    const { proc, ready } = launchService({ ...old.options, env: { ...this.baseEnv, ...env, SCHEDULER_POLICY: policy, HTTP_PORT: String(port) } }, this.options.readyTimeoutMs ?? 60_000);
    this.processes.set('scheduler', proc);
    await ready;
    this.currentPolicy = policy;
  }

  /** Kills one service (`metrics-store`, `scheduler`, `worker-<cluster>`) with SIGKILL, as a crash would. Resolves once it has exited. */
  async kill(key: string): Promise<void> {
    await this.service(key).kill();
  }

  /**
   * Starts a service again, after {@link kill} or a crash, with its configuration and HTTP port
   * unchanged (its log file is appended to), and waits until it answers /health.
   */
  async restart(key: string, readyTimeoutMs = this.options.readyTimeoutMs ?? 60_000): Promise<void> {
    const old = this.service(key);
    if (old.running) throw new Error(`${key} is still running; kill or stop it before restarting it`);
    const { proc, ready } = launchService(old.options, readyTimeoutMs);
    this.processes.set(key, proc);
    await ready;
  }

  private service(key: string): ServiceProcess {
    const proc = this.processes.get(key);
    if (!proc) throw new Error(`no service ${JSON.stringify(key)} in this testbed; it has ${[...this.processes.keys()].join(', ')}`);
    return proc;
  }

  /** Stops every service (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.processes.values()].map((p) => p.stop()));
  }
}
