import { readFileSync, readdirSync } from 'node:fs';

/** CPU time (user + system) used so far, in microseconds, by this process and by the local servers. */
export interface CpuSnapshot {
  node: number;
  /** Every `nats-server` process on this machine (undefined when /proc cannot be read). */
  nats: number | undefined;
  /** The PostgreSQL server's processes: the postmaster and its children (backends, WAL writer, checkpointer ...), exited ones included. */
  postgres: number | undefined;
}

/** Linux reports /proc/<pid>/stat times in USER_HZ ticks, which is 100 per second on every architecture. */
const MICROS_PER_TICK = 10_000;

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
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function serverTicks(postmaster: number | undefined): { nats: number; postgres: number } | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  const ticks = { nats: 0, postgres: 0 };
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the command: state is field 3, ppid 4, utime 14 and stime 15 (1-based, see proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const kind = name === 'nats-server' ? 'nats' : postmaster !== undefined && (Number(pid) === postmaster || ppid === postmaster) ? 'postgres' : undefined;
    if (!kind) continue;
    ticks[kind] += Number(fields[11]) + Number(fields[12]);
    // The postmaster's cutime and cstime: its children that exited and were reaped, so that a backend's time stays counted after it exits.
    if (kind === 'postgres' && Number(pid) === postmaster) ticks.postgres += Number(fields[13]) + Number(fields[14]);
  }
  return ticks;
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
  const nats = pids.nats === undefined ? undefined : ticksOf(pids.nats);
  if (nats !== undefined) result.nats = nats.ticks * MICROS_PER_TICK;
  if (pids.postmaster !== undefined) {
    let procs: string[] = [];
    try {
      procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return result;
    }
    let ticks = 0;
    for (const pid of procs) {
      const t = ticksOf(Number(pid));
      if (!t) continue;
      if (Number(pid) === pids.postmaster) ticks += t.ticks + t.reapedTicks;
      else if (t.ppid === pids.postmaster) ticks += t.ticks;
    }
    result.postgres = ticks * MICROS_PER_TICK;
  }
  return result;
}

/** CPU time (user + system) used so far by process `pid` on this machine, µs; undefined when /proc cannot be read. */
export function processCpuUs(pid: number): number | undefined {
  const t = ticksOf(pid);
  return t && t.ticks * MICROS_PER_TICK;
}

/**
 * utime + stime (ticks), cutime + cstime (the ticks of its children that exited and were waited
 * for) and parent of process `pid`, or undefined when it cannot be read.
 */
function ticksOf(pid: number): { ticks: number; reapedTicks: number; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), reapedTicks: Number(fields[13]) + Number(fields[14]), ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}
