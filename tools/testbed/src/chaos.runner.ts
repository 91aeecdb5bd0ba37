import { join } from 'node:path';
import pg from 'pg';
import { MessageBus, silentBusLogger } from '@aset/messaging';
import { Testbed, ensureDatabase, readServiceMetric, startRestartablePostgres, type AppliedFault, type RestartableServer, type SupervisedRestart } from '@aset/testbed';
import { auditFaultRun, type FaultAudit, type FaultWindow, type StoredOutcome } from './chaos.audit.js';
import { SUPERVISOR_RESTART_DELAY_MS, type ChaosFault } from './chaos.catalog.js';

/**
 * After a fault's last step (a restart, a resume, the supervisor bringing a service back), how long
 * the system may take to be whole again before its queries count as outside the fault's window:
 * three missed heartbeats (1.5 s) for the scheduler to see a cluster again, plus NATS reconnects.
 */
export const RECOVERY_GRACE_MS = 3_000;

/** How long a run's records may take to reach PostgreSQL once the run ended (a store that was down catches up). */
const INGEST_TIMEOUT_MS = 120_000;

/** How long, after a run, the services may take to be whole again before the fault counts as not recovered. */
const SETTLE_TIMEOUT_MS = 30_000;

export interface ChaosOptions {
  faults: readonly ChaosFault[];
  scenario: string;
  policy: string;
  /** Scheduler environment for the policy (ASET_CHECKPOINT). */
  schedulerEnv: Record<string, string>;
  /** Measured queries per run (after the scenario's warm-up queries). */
  queries: number;
  seed: number;
  /** Second of the run's scenario clock when each fault strikes. */
  faultAtSec: number;
  replyTimeoutMs: number;
  /** Service logs and the servers' data go under here. */
  workDir: string;
  say: (message: string) => void;
}

/** One fault's result: the audit, with what was applied and when. */
export interface ChaosResult extends FaultAudit {
  description: string;
  /** The fault's window in seconds of the run's scenario clock. */
  windowSec: [number, number];
  applied: AppliedFault[];
  supervisedRestarts: SupervisedRestart[];
  /** The run failed outright (a generator exited with an error): why. */
  runError?: string;
}

interface Baseline {
  schedulerReplicas: number;
  success: number;
  queries: number;
  terminalRecords: number;
  stored: StoredOutcome[];
}

export interface ChaosReport {
  scenario: string;
  policy: string;
  seed: number;
  queriesPerRun: number;
  faultAtSec: number;
  /** The fault-free runs, one per scheduler replica count the faults use. */
  baselines: Omit<Baseline, 'stored'>[];
  faults: ChaosResult[];
}

/**
 * Runs the fault-free baselines, then one live run per fault, each on a fresh testbed (its own NATS
 * hub with TLS and a user per service, subject prefix and database) over one PostgreSQL that this
 * run owns, so that faults can take NATS and PostgreSQL down. Every run has the same seed, so the
 * same queries at the same scenario times.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { say } = options;
  const postgres = await startRestartablePostgres({ dataDir: join(options.workDir, 'postgres'), say });
  try {

    // A fault is compared with a fault-free run of the same testbed: one per scheduler replica count.
    const baselines = new Map<number, Baseline>();
    for (const replicas of new Set(options.faults.map((f) => f.schedulerReplicas))) {
      const label = replicas === 1 ? 'baseline' : `baseline-${replicas}-schedulers`;
      say(`${label}: a fault-free run of ${options.queries} queries, seed ${options.seed}, ${replicas} scheduler${replicas === 1 ? '' : 's'}`);
      const run = await liveRun(options, postgres, label, undefined, replicas);
      if (run.runError) throw new Error(`the fault-free run ${label} failed: ${run.runError}`);
      const success = run.stored.length === 0 ? 0 : run.stored.filter((r) => r.sloMet).length / run.stored.length;
      say(`${label}: ${run.stored.length} records, ${(success * 100).toFixed(1)}% met their SLO`);
      baselines.set(replicas, { schedulerReplicas: replicas, success, queries: options.queries, terminalRecords: run.stored.length, stored: run.stored });
    }

    const results: ChaosResult[] = [];
    for (const fault of options.faults) {
      say(`${fault.name}: ${fault.description}, at ${options.faultAtSec} s`);
      const baseline = baselines.get(fault.schedulerReplicas) as Baseline;
      const run = await liveRun(options, postgres, fault.name, fault, fault.schedulerReplicas);
      const audit = auditFaultRun({ name: fault.name, queries: options.queries, stored: run.stored, streamRecords: run.streamRecords, baseline: baseline.stored, window: run.window, notRecovered: run.notRecovered });
      const origin = run.originAt;
      const result: ChaosResult = {
        ...audit,
        description: fault.description,
        windowSec: [round((run.window.startAt - origin) / 1000), round((run.window.endAt - origin) / 1000)],
        applied: run.applied,
        supervisedRestarts: run.supervisedRestarts,
        ...(run.runError ? { runError: run.runError, recovered: false } : {}),
      };
      results.push(result);
      say(
        `${fault.name}: ${result.terminalRecords}/${result.queries} records, lost ${result.lost}, duplicated ${result.duplicated}, ` +
          `success outside the window ${(result.successOutsideWindow * 100).toFixed(1)}% (fault-free ${(result.baselineSuccess * 100).toFixed(1)}%), ` +
          `${result.recovered ? 'recovered' : `NOT recovered: ${[...result.notRecovered, result.runError ?? ''].filter(Boolean).join('; ')}`}`,
      );
    }
    return {
      scenario: options.scenario,
      policy: options.policy,
      seed: options.seed,
      queriesPerRun: options.queries,
      faultAtSec: options.faultAtSec,
      baselines: [...baselines.values()].map(({ stored: _, ...b }) => b),
      faults: results,
    };
  } finally {
    await postgres.stop().catch(() => {});
  }
}

interface LiveRun {
  stored: StoredOutcome[];
  /** The run's query records in the records stream (warm-up included): messages, and distinct query ids. */
  streamRecords: { messages: number; ids: number };
  window: FaultWindow;
  originAt: number;
  applied: AppliedFault[];
  supervisedRestarts: SupervisedRestart[];
  notRecovered: string[];
  runError?: string;
}

/** One live run on a fresh testbed, with `fault` injected (none: the baseline), and what it left. */
async function liveRun(options: ChaosOptions, postgres: RestartableServer, label: string, fault: ChaosFault | undefined, schedulerReplicas: number): Promise<LiveRun> {
  const name = label.replace(/[^a-z0-9]+/g, '_');
  const databaseUrl = await ensureDatabase(postgres.url, `chaos_${name}`);
  const prefix = `chaos_${name}`;
  const runId = `chaos-${label}`;
  const testbed = await Testbed.start({
    scenario: options.scenario,
    policy: options.policy,
    schedulerEnv: options.schedulerEnv,
    prefix,
    // A NATS hub of its own, as deployed (TLS, a user per service), which a fault may kill and restart.
    sites: { edge: [] },
    databaseUrl,
    logDir: join(options.workDir, 'logs', label),
    say: () => {},
    schedulerReplicas,
    supervise: { restartDelayMs: SUPERVISOR_RESTART_DELAY_MS },
    servers: { postgres },
    // Ten processes start at once; a busy host needs more than the default minute.
    readyTimeoutMs: 180_000,
  });
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    let runError: string | undefined;
    let applied: AppliedFault[] = [];
    const runStartedAt = Date.now();
    try {
      const report = await testbed.run({ runId, queries: options.queries, seed: options.seed, replyTimeoutMs: options.replyTimeoutMs, ...(fault ? { faults: fault.plan(options.faultAtSec) } : {}) });
      applied = report.faults;
    } catch (e) {
      runError = e instanceof Error ? e.message : String(e);
    }
    // The system must come back on its own: wait for it, never heal it.
    const notRecovered = await settle(testbed);
    const restarts = testbed.supervisedRestarts.filter((r) => r.exitedAt >= runStartedAt);
    for (const f of applied.filter((a) => a.error)) notRecovered.push(`fault step ${f.action} ${f.service} failed: ${f.error}`);
    if (!runError) {
      try {
        await testbed.waitIngested(runId, INGEST_TIMEOUT_MS);
      } catch (e) {
        notRecovered.push(`ingestion: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await db.connect();
    const { rows } = await db.query<{ query_id: string; status: string; slo_met: boolean; created: number }>(
      `SELECT query_id, status, slo_met, extract(epoch FROM created_at) * 1000 AS created FROM queries WHERE run_id = $1 AND NOT warmup`,
      [runId],
    );
    const stored = rows.map((r) => ({ queryId: r.query_id, status: r.status, sloMet: r.slo_met, createdAt: Number(r.created) }));
    const bus = await MessageBus.connect({ servers: testbed.natsUrl, name: `chaos-audit-${label}`, prefix, logger: silentBusLogger, ...testbed.topology?.security.busOptions('testbed') });
    let streamRecords: { messages: number; ids: number };
    try {
      streamRecords = await streamRecordsOf(bus, runId);
    } finally {
      await bus.close();
    }
    const originAt = applied[0] ? applied[0].appliedAt - applied[0].appliedAtSec * 1000 : (stored[0]?.createdAt ?? runStartedAt);
    return { stored, streamRecords, window: faultWindow(applied, restarts, options.replyTimeoutMs), originAt, applied, supervisedRestarts: restarts, notRecovered, ...(runError ? { runError } : {}) };
  } finally {
    await db.end().catch(() => {});
    await testbed.stop();
  }
}

/**
 * Reads every query record of the run from the records stream (an ordered consumer from the
 * start): how many messages it holds, and for how many distinct queries. Duplicates that reached the
 * stream show as the difference, whichever query they belong to.
 */
async function streamRecordsOf(bus: MessageBus, runId: string): Promise<{ messages: number; ids: number }> {
  const messages = await bus.storedCount('queryRecord', { runId });
  const ids = new Set<string>();
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const consumption = await bus.consume({ ordered: { deliver: 'all' } }, {
    queryRecord: (record) => {
      if (record.runId !== runId) return;
      ids.add(record.queryId);
      if (++seen === messages) done();
    },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    if (messages > 0) await Promise.race([all, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`read ${seen} of the ${messages} query records of ${runId} in the stream within 60 s`)), 60_000)))]);
  } finally {
    clearTimeout(timer);
    await consumption.close();
  }
  return { messages, ids: ids.size };
}

/**
 * The span a fault disturbs: from a reply timeout before its first step (queries already in flight
 * when it struck) to {@link RECOVERY_GRACE_MS} after its last step or the last restart the
 * supervisor made for it. Empty (no query inside) when nothing was applied.
 */
export function faultWindow(applied: readonly AppliedFault[], restarts: readonly SupervisedRestart[], replyTimeoutMs: number): FaultWindow {
  if (applied.length === 0) return { startAt: Infinity, endAt: -Infinity };
  const startAt = Math.min(...applied.map((a) => a.appliedAt));
  const lastStep = Math.max(...applied.map((a) => a.appliedAt), ...restarts.filter((r) => r.exitedAt >= startAt).map((r) => r.restartedAt));
  return { startAt: startAt - replyTimeoutMs, endAt: lastStep + RECOVERY_GRACE_MS };
}

/**
 * Waits until every service is healthy and every scheduler replica holds every cluster alive again,
 * for up to {@link SETTLE_TIMEOUT_MS}; returns what still is not (empty: recovered).
 */
async function settle(testbed: Testbed): Promise<string[]> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const clusters = testbed.scenario.clusters.length;
  for (;;) {
    const problems = await testbed.unhealthy();
    if (problems.length === 0) {
      for (const key of testbed.services().filter((s) => /^scheduler(-\d+)?$/.test(s))) {
        const live = await readServiceMetric(testbed.serviceUrl(key), 'aset_scheduler_live_clusters');
        if (live !== clusters) problems.push(`${key} holds ${live ?? '?'} of ${clusters} clusters alive`);
      }
    }
    if (problems.length === 0 || Date.now() > deadline) return problems;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
