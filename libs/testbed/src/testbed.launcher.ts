import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunSummarySchema, type RunSummary } from '@aset/contracts';
import { readZoo } from '@aset/model-zoo';
import { readScenarioFile, type Scenario } from '@aset/scenario';
import { mergeRunReports, type RunReport } from '@aset/workload';
import { freePort } from './free.port.js';
import type { Say } from './managed.service.js';
import { DEFAULT_MANIFEST, REPO_ROOT, scenarioPath } from '@aset/command-line';
import { appEntry } from './repo.paths.js';
import { ServiceProcess, type ServiceProcessOptions } from './service.process.js';
import { HostSampler, type HostUsage } from './host.sampler.js';
import { FaultInjector, faultSteps, type AppliedFault, type FaultPlan } from './fault.plan.js';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { NatsTopology } from './nats.topology.js';
import { testbedNatsUsers } from './nats.security.js';
import { CENTRAL_SITE, checkSiteLayout, type EdgeSite } from './site.layout.js';
import type { SiteNetworkMode } from './site.network.js';
import type { RestartableServer } from './restartable.servers.js';

/** Starts a service process, with the promise that it answers GET /health on its HTTP_HOST (default 127.0.0.1) and HTTP_PORT within `readyTimeoutMs`. */
function launchService(options: ServiceProcessOptions, readyTimeoutMs: number): { proc: ServiceProcess; ready: Promise<void> } {
  const proc = ServiceProcess.start(options);
  return { proc, ready: proc.waitHealthy(`http://${options.env['HTTP_HOST'] ?? '127.0.0.1'}:${options.env['HTTP_PORT']}/health`, readyTimeoutMs) };
}

/** How long before scenario time 0 the parts of a split run are started, so that every generator is ready by then. */
const RUN_PARTS_LEAD_MS = 6_000;

/** Where a process runs: its site's NATS server, and its network namespace and HTTP interface there. */
interface Placement {
  env: Record<string, string>;
  netns?: string;
}

export interface TestbedOptions {
  /** Scenario name under scenarios/ or a file path. */
  scenario: string;
  manifest?: string;
  policy: string;
  /** Subject prefix; give each concurrent testbed its own. */
  prefix: string;
  /** The one NATS server (with JetStream) every service connects to. Exactly one of `natsUrl` and `sites` is given. */
  natsUrl?: string;
  /**
   * A multi-site testbed: the testbed starts a hub nats-server and one leaf node per edge site from
   * infra/nats/ (see {@link NatsTopology}), each site in its own network namespace where the machine
   * allows (`network`); with no edge site, the hub alone. A site's workers, and a generator for its
   * sources, run there, attached to its leaf node; everything else runs at the central site, on the
   * hub. Its NATS is secured as infra/nats deploys it: TLS, and each process authenticates as its
   * own user (its service's, or its worker process's, allowed only that process's clusters).
   */
  sites?: { edge: readonly EdgeSite[]; network?: SiteNetworkMode };
  /**
   * Clusters per worker process (CLUSTER_IDS), default 1. A process hosts clusters of one site only.
   * With 1, the worker of cluster `c` is the service `worker-<c>`; else the processes are `workers-<n>`.
   */
  clustersPerWorker?: number;
  databaseUrl: string;
  /** Service logs go here, one file per process. */
  logDir: string;
  say: Say;
  /** Extra environment for every service (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Extra environment for the scheduler alone, for `policy` (e.g. ASET_CHECKPOINT); {@link Testbed.usePolicy} replaces it. */
  schedulerEnv?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Scheduler processes in the `scheduler` queue group (default 1): `scheduler`, `scheduler-2`, ... */
  schedulerReplicas?: number;
  /**
   * Restart a service that exits on its own (a crash, or a fault's SIGKILL) after `restartDelayMs`,
   * as Compose's `restart: unless-stopped` and Kubernetes' restart policy do; off by default, when an
   * exited service stays down until {@link Testbed.restart} or {@link Testbed.heal}.
   */
  supervise?: { restartDelayMs: number };
  /**
   * Servers the testbed's services depend on and that faults may take down and bring back, by fault
   * plan name (e.g. `nats-server`, `postgres`): the caller starts and stops them; the testbed only
   * names them in {@link Testbed.services} and applies faults to them.
   */
  servers?: Readonly<Record<string, RestartableServer>>;
}

/** A service's restart by the supervisor: which, when (epoch ms), and the error if it did not come back. */
export interface SupervisedRestart {
  service: string;
  exitedAt: number;
  restartedAt: number;
  error?: string;
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
    /** The hub and leaf nodes of a multi-site testbed, which it started and stops. */
    readonly topology: NatsTopology | undefined,
  ) {
    for (const [key, proc] of processes) this.supervise(key, proc);
  }

  /**
   * The servers faults may take down and bring back: the NATS hub the testbed started (`nats-hub`),
   * and the {@link TestbedOptions.servers} given.
   */
  private get faultServers(): Readonly<Record<string, RestartableServer>> {
    return { ...(this.topology ? { 'nats-hub': this.topology.hubServer } : {}), ...this.options.servers };
  }

  /** What the supervisor restarted so far (with {@link TestbedOptions.supervise}). */
  readonly supervisedRestarts: SupervisedRestart[] = [];
  private stopping = false;
  /** Processes stopped on purpose ({@link usePolicy}), which the supervisor leaves down. */
  private readonly retired = new WeakSet<ServiceProcess>();

  /** The edge sites (none for a single-site testbed). */
  get sites(): readonly EdgeSite[] {
    return this.options.sites?.edge ?? [];
  }

  /** The NATS server of the central site, where the scheduler and the metrics store are. */
  get natsUrl(): string {
    return this.baseEnv['NATS_URL'] as string;
  }

  /** The policy the scheduler runs now (the one runs are recorded under). */
  get policy(): string {
    return this.currentPolicy;
  }

  /** Starts every service and waits until each answers /health. Stops what it started if one fails. */
  static async start(options: TestbedOptions): Promise<Testbed> {
    const manifest = options.manifest ?? DEFAULT_MANIFEST;
    const scenarioFile = scenarioPath(options.scenario);
    const scenario = readScenarioFile(scenarioFile, { zoo: readZoo(manifest) });
    if ((options.natsUrl === undefined) === (options.sites === undefined)) {
      throw new Error('a testbed takes either natsUrl (one NATS server for every service) or sites (it starts a hub and a leaf node per edge site), and not both');
    }
    const edge = options.sites?.edge ?? [];
    checkSiteLayout(scenario, edge);
    mkdirSync(options.logDir, { recursive: true });
    const siteOfCluster = new Map(edge.flatMap((site) => site.clusters.map((c) => [c, site.name] as const)));
    const workers = workerGroups(scenario.clusters.map((c) => c.id), siteOfCluster, options.clustersPerWorker ?? 1).map((group, i) => ({
      ...group,
      key: (options.clustersPerWorker ?? 1) === 1 ? `worker-${group.clusters[0]}` : `workers-${i + 1}`,
    }));
    const topology = options.sites
      ? await NatsTopology.start({
          sites: edge.map((s) => s.name),
          dataDir: join(options.logDir, 'nats'),
          network: options.sites.network ?? 'auto',
          say: options.say,
          prefix: options.prefix,
          users: testbedNatsUsers(workers.map((w) => ({ name: w.key, clusters: w.clusters }))),
        })
      : undefined;
    const baseEnv: Record<string, string> = {
      NATS_URL: topology?.hub.clientUrl ?? (options.natsUrl as string),
      NATS_PREFIX: options.prefix,
      SCENARIO_FILE: scenarioFile,
      MODELS_MANIFEST: manifest,
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    const processes = new Map<string, ServiceProcess>();
    const pending: Promise<void>[] = [];
    /** `user`: whose NATS credentials it gets (default: its own, by key; scheduler replicas share the scheduler's). */
    const launch = async (key: string, app: Parameters<typeof appEntry>[0], env: Record<string, string>, site?: string, user = key) => {
      const port = await freePort();
      const placement = placementAt(topology, site);
      const { proc, ready } = launchService(
        {
          name: key,
          entry: appEntry(app),
          cwd: REPO_ROOT,
          env: { ...baseEnv, ...topology?.security.clientEnv(user), ...env, ...placement.env, HTTP_PORT: String(port) },
          logFile: join(options.logDir, `${key.replace(/\s+/g, '-')}.log`),
          ...(placement.netns ? { netns: placement.netns } : {}),
        },
        options.readyTimeoutMs ?? 60_000,
      );
      processes.set(key, proc);
      pending.push(ready);
      return port;
    };
    let metricsPort = 0;
    try {
      metricsPort = await launch('metrics-store', 'metrics-store', { DATABASE_URL: options.databaseUrl });
      for (const key of schedulerKeys(options.schedulerReplicas ?? 1)) await launch(key, 'scheduler', { ...options.schedulerEnv, SCHEDULER_POLICY: options.policy }, undefined, 'scheduler');
      for (const group of workers) await launch(group.key, 'worker', { CLUSTER_IDS: group.clusters.join(',') }, group.site);
      await Promise.all(pending);
      // A service that died at start while its health URL answered from another process still counts as failed.
      const dead = [...processes.values()].filter((p) => !p.running);
      if (dead.length > 0) throw new Error(`${dead.map((p) => p.name).join(', ')} exited during start (logs in ${options.logDir})`);
    } catch (e) {
      await Promise.allSettled([...processes.values()].map((p) => p.stop()));
      await topology?.stop();
      throw e;
    }
    const where = !topology ? '' : edge.length > 0 ? `, over a hub and ${edge.length} edge sites (${topology.network.mode})` : ', on a NATS hub of its own';
    const replicas = (options.schedulerReplicas ?? 1) > 1 ? ` x${options.schedulerReplicas}` : '';
    options.say(`testbed up: metrics store, scheduler (${options.policy})${replicas}, ${scenario.clusters.length} clusters in ${workers.length} worker processes${where}; logs in ${options.logDir}`);
    return new Testbed(options, scenario, `http://127.0.0.1:${metricsPort}`, processes, baseEnv, options.policy, topology);
  }

  /**
   * Runs the workload generator once and returns its report, with how busy the host and each
   * service were meanwhile (`host`: a saturated host makes the run not representative). Rejects if
   * the generator fails or loses records.
   */
  async run(run: RunOptions): Promise<RunReport & { host: HostUsage; faults: AppliedFault[] }> {
    const steps = run.faults ? faultSteps(run.faults, this.services()) : [];
    const env: Record<string, string> = {
      ...this.baseEnv,
      RUN_ID: run.runId,
      RUN_POLICY: this.currentPolicy,
      PROGRESS: run.interactive ? 'on' : 'off',
      ...this.topology?.security.clientEnv('workload-generator'),
    };
    if (run.queries !== undefined) env['QUERIES'] = String(run.queries);
    if (run.warmupQueries !== undefined) env['WARMUP_QUERIES'] = String(run.warmupQueries);
    if (run.rateScale !== undefined) env['RATE_SCALE'] = String(run.rateScale);
    if (run.seed !== undefined) env['SEED'] = String(run.seed);
    if (run.replyTimeoutMs !== undefined) env['REPLY_TIMEOUT_MS'] = String(run.replyTimeoutMs);
    const parts = this.generatorParts();
    // Connected, and listening for the run clock, before the generator starts: nothing is left
    // running when the connection fails, and the clock's first announcement is heard.
    const bus = await MessageBus.connect({
      servers: this.natsUrl,
      name: `testbed-${run.runId}`,
      prefix: this.options.prefix,
      logger: silentBusLogger,
      ...this.topology?.security.busOptions('testbed'),
    });
    try {
      const faults = steps.length > 0 ? await this.injectOnRunClock(bus, run.runId, steps) : undefined;
      const startAt = Date.now() + RUN_PARTS_LEAD_MS;
      const generators = await Promise.all(
        parts.map(async (part) => {
          const key = part.name === undefined ? `workload-generator ${run.runId}` : `workload-generator ${run.runId} ${part.name}`;
          const named = part.name === undefined ? run.runId : `${run.runId}-${part.name}`;
          const summaryFile = join(this.options.logDir, `${named}.summary.json`);
          const placement = placementAt(this.topology, part.site);
          const partEnv: Record<string, string> =
            part.name === undefined
              ? {}
              : { RUN_PART: part.name, RUN_PARTS: String(parts.length), SOURCES: part.sources.join(','), RUN_START_AT: String(startAt) };
          const proc = ServiceProcess.start({
            name: key,
            entry: appEntry('workload-generator'),
            cwd: REPO_ROOT,
            env: { ...env, ...partEnv, ...placement.env, HTTP_PORT: String(await freePort()), SUMMARY_FILE: summaryFile },
            logFile: join(this.options.logDir, `generator-${named}.log`),
            // A part's progress and report are its own share of the run: the caller shows the merged report.
            inheritOutput: (run.interactive ?? false) && parts.length === 1,
            ...(placement.netns ? { netns: placement.netns } : {}),
          });
          this.processes.set(key, proc);
          return { key, proc, summaryFile };
        }),
      );
      // Split runs: the host is sampled from the run's start on, not while the parts start up.
      if (parts.length > 1) await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
      const sampler = new HostSampler(() => new Map([...[...this.processes].map(([name, p]) => [name, p.child.pid] as const), ...(this.topology?.pids ?? [])]));
      // A part that fails ends the run: the other parts are stopped rather than left sending.
      const codes = await Promise.all(
        generators.map(async (g) => {
          const code = await g.proc.exited;
          if (code !== 0) await Promise.allSettled(generators.map((other) => other.proc.stop()));
          return code;
        }),
      );
      const host = sampler.stop();
      const applied = (await faults?.stop()) ?? [];
      for (const g of generators) this.processes.delete(g.key);
      const failures = generators.flatMap((g, i) => (codes[i] === 0 ? [] : [`${g.key} exited with code ${codes[i]}:\n${g.proc.tail()}`]));
      if (failures.length > 0) throw new Error(failures.join('\n'));
      // Recorded with the run, so that an analyst can tell a run on a saturated host from the others.
      await bus.publishDurable('runRecord', { runId: run.runId }, { schemaVersion: 1, kind: 'host', runId: run.runId, host, measuredAt: Date.now() }, `${run.runId}.host`);
      const reports = generators.map((g) => JSON.parse(readFileSync(g.summaryFile, 'utf8')) as RunReport);
      return { ...(reports.length === 1 ? (reports[0] as RunReport) : mergeRunReports(reports)), host, faults: applied };
    } finally {
      await bus.close();
    }
  }

  /**
   * The generators of a run: one for the whole run on a single-site testbed (or when no edge site
   * has sources); else one part per edge site with sources, run at that site, and a central part
   * for the sources no site claims.
   */
  private generatorParts(): { name: string | undefined; site: string | undefined; sources: string[] }[] {
    const edge = this.sites.filter((s) => s.sources.length > 0);
    if (edge.length === 0) return [{ name: undefined, site: undefined, sources: [] }];
    const claimed = new Set(edge.flatMap((s) => s.sources));
    const central = this.scenario.sources.map((s) => s.id).filter((id) => !claimed.has(id));
    return [
      ...(central.length > 0 ? [{ name: CENTRAL_SITE, site: undefined, sources: central }] : []),
      ...edge.map((s) => ({ name: s.name, site: s.name, sources: s.sources })),
    ];
  }

  /**
   * Listens for the run's clock (the generator announces it on NATS) and, once heard, applies the
   * fault steps at their scenario times. `stop` ends the injection and returns what was applied.
   */
  private async injectOnRunClock(bus: MessageBus, runId: string, steps: ReturnType<typeof faultSteps>): Promise<{ stop(): Promise<AppliedFault[]> }> {
    const injector = new FaultInjector(steps, {
      kill: (s) => this.kill(s),
      pause: (s) => this.processOf(s, 'paused').pause(),
      resume: (s) => this.processOf(s, 'resumed').resume(),
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

  /**
   * The services a fault plan can name: `metrics-store`, `scheduler` (`scheduler-<n>` for further
   * replicas), `worker-<cluster>` (`workers-<n>` with several clusters per worker), `nats-hub` when
   * the testbed started its own NATS, and the {@link TestbedOptions.servers} given.
   */
  services(): string[] {
    return [...this.processes.keys(), ...Object.keys(this.faultServers)].filter((k) => !k.startsWith('workload-generator'));
  }

  /**
   * Brings every service back after faults: resumes the paused ones and restarts those that exited,
   * so that the next run starts on a whole testbed. Returns the services it brought back.
   */
  async heal(): Promise<string[]> {
    const healed: string[] = [];
    for (const [key, server] of Object.entries(this.faultServers)) {
      if (server.running) continue;
      await server.restart();
      healed.push(key);
    }
    for (const key of this.services()) {
      const proc = this.processes.get(key);
      if (!proc) continue;
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

  /** The HTTP base URL of a service process (its /health, /metrics). */
  serviceUrl(key: string): string {
    const env = this.service(key).options.env;
    return `http://${env['HTTP_HOST'] ?? '127.0.0.1'}:${env['HTTP_PORT']}`;
  }

  /**
   * What is not whole now: servers not running, and service processes that exited, are paused, or do
   * not answer /health within `timeoutMs`. Empty when every service is up.
   */
  async unhealthy(timeoutMs = 2_000): Promise<string[]> {
    const servers = Object.entries(this.faultServers).filter(([, s]) => !s.running).map(([key]) => `${key} is down`);
    const services = await Promise.all(
      [...this.processes].filter(([key]) => !key.startsWith('workload-generator')).map(async ([key, proc]) => {
        if (!proc.running) return `${key} has exited`;
        if (proc.paused) return `${key} is paused`;
        try {
          const res = await fetch(`${this.serviceUrl(key)}/health`, { signal: AbortSignal.timeout(timeoutMs) });
          return res.ok ? undefined : `${key} /health answered HTTP ${res.status}`;
        } catch (e) {
          return `${key} /health did not answer: ${e instanceof Error ? e.message : String(e)}`;
        }
      }),
    );
    return [...servers, ...services.filter((s): s is string => s !== undefined)];
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
    for (const key of schedulerKeys(this.options.schedulerReplicas ?? 1)) {
      const old = this.service(key);
      this.retired.add(old);
      await old.stop();
      const port = await freePort();
      const { proc, ready } = launchService({ ...old.options, env: { ...this.baseEnv, ...this.topology?.security.clientEnv('scheduler'), ...env, SCHEDULER_POLICY: policy, HTTP_PORT: String(port) } }, this.options.readyTimeoutMs ?? 60_000);
      this.processes.set(key, proc);
      this.supervise(key, proc);
      await ready;
    }
    this.currentPolicy = policy;
  }

  /**
   * Kills one service (a name of {@link services}) with SIGKILL, as a crash would (a server of
   * {@link TestbedOptions.servers}: as its `kill` says). Resolves once it has exited.
   */
  async kill(key: string): Promise<void> {
    const server = this.faultServers[key];
    if (server) return server.kill();
    await this.service(key).kill();
  }

  /**
   * Starts a service again, after {@link kill} or a crash, with its configuration and HTTP port
   * unchanged (its log file is appended to), and waits until it answers /health.
   */
  async restart(key: string, readyTimeoutMs = this.options.readyTimeoutMs ?? 60_000): Promise<void> {
    const server = this.faultServers[key];
    if (server) return server.restart();
    const old = this.service(key);
    if (old.running) throw new Error(`${key} is still running; kill or stop it before restarting it`);
    const { proc, ready } = launchService(old.options, readyTimeoutMs);
    this.processes.set(key, proc);
    this.supervise(key, proc);
    await ready;
  }

  /**
   * With {@link TestbedOptions.supervise}: once `proc` exits on its own while it is still the
   * service's process, start the service again after the delay. Generators are never supervised.
   */
  private supervise(key: string, proc: ServiceProcess): void {
    const policy = this.options.supervise;
    if (!policy || key.startsWith('workload-generator')) return;
    void proc.exited.then(async () => {
      const exitedAt = Date.now();
      const current = () => !this.stopping && !this.retired.has(proc) && this.processes.get(key) === proc;
      if (!current()) return;
      await new Promise((r) => setTimeout(r, policy.restartDelayMs));
      if (!current()) return;
      try {
        await this.restart(key);
        this.supervisedRestarts.push({ service: key, exitedAt, restartedAt: Date.now() });
      } catch (e) {
        this.supervisedRestarts.push({ service: key, exitedAt, restartedAt: Date.now(), error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  /** A service's process, for an action only processes take (`what`: the past tense, for the error). */
  private processOf(key: string, what: string): ServiceProcess {
    if (this.faultServers[key]) throw new Error(`${key} is a server the testbed does not run as a service process; it can be killed and restarted, not ${what}`);
    return this.service(key);
  }

  private service(key: string): ServiceProcess {
    const proc = this.processes.get(key);
    if (!proc) throw new Error(`no service ${JSON.stringify(key)} in this testbed; it has ${[...this.processes.keys()].join(', ')}`);
    return proc;
  }

  /** Stops every service (SIGTERM, then SIGKILL), then the hub and leaf nodes of a multi-site testbed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.processes.values()].map((p) => p.stop()));
    await this.topology?.stop();
  }
}

/** The service names of `replicas` schedulers: `scheduler`, then `scheduler-2`, ... */
function schedulerKeys(replicas: number): string[] {
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`schedulerReplicas must be an integer >= 1, got ${replicas}`);
  return Array.from({ length: replicas }, (_, i) => (i === 0 ? 'scheduler' : `scheduler-${i + 1}`));
}

/** The clusters in worker processes of at most `perWorker` clusters each, never mixing sites (site undefined: the central one), in scenario order. */
function workerGroups(clusters: readonly string[], siteOf: ReadonlyMap<string, string>, perWorker: number): { site: string | undefined; clusters: string[] }[] {
  if (!Number.isInteger(perWorker) || perWorker < 1) throw new Error(`clustersPerWorker must be an integer >= 1, got ${perWorker}`);
  const bySite = new Map<string | undefined, string[]>();
  for (const c of clusters) {
    const site = siteOf.get(c);
    bySite.set(site, [...(bySite.get(site) ?? []), c]);
  }
  return [...bySite].flatMap(([site, ids]) => Array.from({ length: Math.ceil(ids.length / perWorker) }, (_, i) => ({ site, clusters: ids.slice(i * perWorker, (i + 1) * perWorker) })));
}

/** A process of `site` (undefined: the central site) attaches to its site's NATS server, inside the site's namespace when it has one. */
function placementAt(topology: NatsTopology | undefined, site: string | undefined): Placement {
  if (topology === undefined || site === undefined) return { env: {} };
  const leaf = topology.leaf(site);
  return {
    env: { NATS_URL: leaf.clientUrl, HTTP_HOST: leaf.endpoint.siteAddress },
    ...(leaf.endpoint.netns ? { netns: leaf.endpoint.netns } : {}),
  };
}
