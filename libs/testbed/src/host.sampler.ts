import type { HostUsage } from '@aset/contracts';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { USER_HZ, readProcessStat } from './process.stat.js';

/** How busy the host and each service were during a live run: the contract's shape, so that the testbed records it with the run as measured. */
export type { HostUsage } from '@aset/contracts';

/** Total and idle CPU time of all cores so far, ms (os.cpus(): Linux, macOS and Windows). */
function hostTimes(): { total: number; idle: number } {
  let total = 0;
  let idle = 0;
  for (const c of cpus()) {
    const t = c.times;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
    idle += t.idle;
  }
  return { total, idle };
}

/** CPU time (user + system) of a process so far, ms, or undefined when it cannot be read (not Linux, or exited). */
export function processCpuMs(pid: number): number | undefined {
  const stat = readProcessStat(pid);
  return stat && (stat.ticks * 1000) / USER_HZ;
}

/**
 * CPU time (user + system) of this process's children that exited and were waited for, so far, ms
 * (cutime + cstime of /proc/self/stat); undefined where /proc cannot be read.
 */
export function reapedChildrenCpuMs(): number | undefined {
  const stat = readProcessStat('self');
  return stat && (stat.reapedTicks * 1000) / USER_HZ;
}

/** Resident set size of a process, bytes, or undefined when it cannot be read (not Linux, or exited). */
export function processRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the host's CPU every `periodMs` while a live run goes, and each service's CPU time at the
 * start and end. A run during which some window had more than `saturation` of all cores busy (by
 * default a 1 s window above 90%) is marked not representative, whatever kept the host busy.
 * Call {@link stop} once; it stops the timer.
 *
 * A service that exits before {@link stop} (a generator at the end of its run) cannot be read then.
 * Its whole CPU time is still known when it is this process's child: it joins this process's
 * reaped-children time (cutime). So the services that exited are given that time's growth over the
 * run, less what they had used at the start: exactly, when one service exited; in proportion to their
 * last readings when several did. Where /proc/self cannot be read, or another child of this process
 * exiting meanwhile makes that growth implausible (less than the readings), an exited service keeps
 * its last reading, up to `periodMs` short of its end.
 */
export class HostSampler {
  private readonly timer: NodeJS.Timeout;
  private last = hostTimes();
  private lastAt = performance.now();
  private readonly busy: number[] = [];
  private readonly startCpu = new Map<string, { pid: number; ms: number }>();
  /** Each service's CPU time at its latest reading (a service that exited keeps its last one). */
  private readonly latestCpu = new Map<string, { pid: number; ms: number }>();
  /** The services whose latest reading failed (exited, or /proc unreadable). */
  private readonly unread = new Set<string>();
  private readonly reapedAtStart = reapedChildrenCpuMs();

  constructor(
    /** The services to account for, by name, read at every sample (a restarted service counts from its restart). */
    private readonly pids: () => ReadonlyMap<string, number | undefined>,
    private readonly periodMs = 1000,
    private readonly saturation = 0.9,
  ) {
    this.readServices();
    for (const [name, reading] of this.latestCpu) this.startCpu.set(name, reading);
    this.timer = setInterval(() => this.sample(), periodMs);
    this.timer.unref();
  }

  private readServices(): void {
    for (const [name, pid] of this.pids()) {
      const ms = pid === undefined ? undefined : processCpuMs(pid);
      if (pid !== undefined && ms !== undefined) {
        this.latestCpu.set(name, { pid, ms });
        this.unread.delete(name);
      } else this.unread.add(name);
    }
  }

  private sample(): void {
    this.readServices();
    const now = hostTimes();
    const at = performance.now();
    const total = now.total - this.last.total;
    // A window much shorter than the period (the last one, at stop) is too coarse to judge: CPU times tick in 10 ms.
    if (total > 0 && at - this.lastAt >= this.periodMs / 2) this.busy.push(1 - (now.idle - this.last.idle) / total);
    this.last = now;
    this.lastAt = at;
  }

  stop(): HostUsage {
    clearInterval(this.timer);
    this.sample();
    const serviceCpuMs: Record<string, number> = {};
    const sinceStart = (name: string, ms: number, pid: number) => {
      const start = this.startCpu.get(name);
      return ms - (start?.pid === pid ? start.ms : 0);
    };
    for (const [name, end] of this.latestCpu) serviceCpuMs[name] = sinceStart(name, end.ms, end.pid);
    const exited = [...this.unread].filter((name) => this.latestCpu.has(name));
    const reapedNow = reapedChildrenCpuMs();
    if (exited.length > 0 && reapedNow !== undefined && this.reapedAtStart !== undefined) {
      const whole = reapedNow - this.reapedAtStart;
      const lastReadings = exited.reduce((sum, name) => sum + (this.latestCpu.get(name) as { ms: number }).ms, 0);
      if (whole >= lastReadings) {
        for (const name of exited) {
          const last = this.latestCpu.get(name) as { pid: number; ms: number };
          const share = lastReadings > 0 ? last.ms / lastReadings : 1 / exited.length;
          serviceCpuMs[name] = sinceStart(name, whole * share, last.pid);
        }
      }
    }
    for (const name of Object.keys(serviceCpuMs)) serviceCpuMs[name] = Math.round(serviceCpuMs[name] as number);
    const windows = this.busy.length;
    const saturatedWindows = this.busy.filter((b) => b > this.saturation).length;
    const maxBusy = windows > 0 ? Math.max(...this.busy) : 0;
    const meanBusy = windows > 0 ? this.busy.reduce((a, b) => a + b, 0) / windows : 0;
    const usage: HostUsage = { cores: cpus().length, windows, meanBusy, maxBusy, saturatedWindows, saturation: this.saturation, serviceCpuMs, representative: saturatedWindows === 0 };
    if (saturatedWindows > 0) {
      usage.reason = `the host was saturated: ${saturatedWindows} of ${windows} windows of ${this.periodMs / 1000} s had more than ${Math.round(this.saturation * 100)}% of its ${usage.cores} cores busy (highest ${Math.round(maxBusy * 100)}%)`;
    }
    return usage;
  }
}
