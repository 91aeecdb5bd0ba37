import { readdirSync } from 'node:fs';
import { USER_HZ, readProcessStat } from '@aset/testbed';

/** CPU time (user + system) used so far, in microseconds, by this process and by the local servers. */
export interface CpuSnapshot {
  node: number;
  /** Every `nats-server` process on this machine (undefined when /proc cannot be read). */
  nats: number | undefined;
  /** The PostgreSQL server's processes: the postmaster and its children (backends, WAL writer, checkpointer ...), exited ones included. */
  postgres: number | undefined;
}

const MICROS_PER_TICK = 1_000_000 / USER_HZ;

/**
 * Reads CPU time of this process (process.cpuUsage) and of the nats-server processes and the
 * PostgreSQL server whose postmaster is `postmaster` (/proc/<pid>/stat). The server figures only
 * make sense when the servers run on this machine; they are undefined where /proc is not readable.
 */
export function cpuSnapshot(postmaster: number | undefined): CpuSnapshot {
  const own = process.cpuUsage();
  const servers = serverTicks(postmaster);
  return {
    node: own.user + own.system,
    nats: servers && servers.nats * MICROS_PER_TICK,
    postgres: servers && servers.postgres * MICROS_PER_TICK,
  };
}

/** CPU microseconds per row between two snapshots, one decimal; undefined where unknown. */
export function cpuPerRow(before: CpuSnapshot, after: CpuSnapshot, rows: number): { node: number; nats?: number; postgres?: number } {
  const per = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : Math.round(((b - a) / rows) * 10) / 10);
  const result: { node: number; nats?: number; postgres?: number } = { node: per(before.node, after.node) ?? 0 };
  const nats = per(before.nats, after.nats);
  const postgres = per(before.postgres, after.postgres);
  if (nats !== undefined) result.nats = nats;
  if (postgres !== undefined) result.postgres = postgres;
  return result;
}

/** The parent of a local process (the postmaster of a backend), or undefined. */
export function parentPid(pid: number): number | undefined {
  const ppid = readProcessStat(pid)?.ppid;
  return ppid !== undefined && Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

function serverTicks(postmaster: number | undefined): { nats: number; postgres: number } | undefined {
  const pids = processIds();
  if (!pids) return undefined;
  let nats = 0;
  for (const pid of pids) {
    const t = readProcessStat(pid);
    if (t?.name === 'nats-server') nats += t.ticks;
  }
  return { nats, postgres: postmaster === undefined ? 0 : postgresTicks(pids, postmaster) };
}

/**
 * CPU time used so far, in microseconds, by the nats-server process `pids.nats` and by the PostgreSQL
 * server whose postmaster is `pids.postmaster` (it and its children, those that exited and were
 * reaped included, through the postmaster's cutime and cstime): the servers a bench started,
 * whatever other servers run on the host. A figure is absent when its pid is not given or /proc
 * cannot be read. So a figure never falls, but for a backend's time between its exit and its reaping.
 */
export function serverCpuUs(pids: { nats: number | undefined; postmaster: number | undefined }): { nats?: number; postgres?: number } {
  const result: { nats?: number; postgres?: number } = {};
  const nats = pids.nats === undefined ? undefined : readProcessStat(pids.nats);
  if (nats !== undefined) result.nats = nats.ticks * MICROS_PER_TICK;
  if (pids.postmaster !== undefined) {
    const procs = processIds();
    if (!procs) return result;
    result.postgres = postgresTicks(procs, pids.postmaster) * MICROS_PER_TICK;
  }
  return result;
}

/**
 * Ticks of the PostgreSQL server whose postmaster is `postmaster`, among the processes `pids`: the
 * postmaster's own and its reaped children's (cutime and cstime, so that a backend's time stays
 * counted after it exits), and its live children's.
 */
function postgresTicks(pids: readonly number[], postmaster: number): number {
  let ticks = 0;
  for (const pid of pids) {
    const t = readProcessStat(pid);
    if (!t) continue; // exited meanwhile
    if (pid === postmaster) ticks += t.ticks + t.reapedTicks;
    else if (t.ppid === postmaster) ticks += t.ticks;
  }
  return ticks;
}

/** The ids of this machine's processes, or undefined when /proc cannot be read. */
function processIds(): number[] | undefined {
  try {
    return readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number);
  } catch {
    return undefined;
  }
}
