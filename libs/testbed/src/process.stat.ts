import { readFileSync } from 'node:fs';

/** Linux reports /proc/<pid>/stat times in ticks of 1/USER_HZ s, and USER_HZ is 100 on every architecture Node.js supports. */
export const USER_HZ = 100;

/** What `/proc/<pid>/stat` says of a process (proc(5)); times in ticks of 1/{@link USER_HZ} s. */
export interface ProcessStat {
  /** The command name (field 2, which may hold spaces and parentheses). */
  readonly name: string;
  readonly ppid: number;
  /** utime + stime: the process's own CPU time so far, every thread's. */
  readonly ticks: number;
  /** cutime + cstime: the CPU time of its children that exited and were waited for. */
  readonly reapedTicks: number;
}

/**
 * Reads `/proc/<pid>/stat` (`self`: this process), or undefined when it cannot be read: not Linux,
 * or the process has exited. The one parser of that file in the repository.
 */
export function readProcessStat(pid: number | 'self'): ProcessStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command, from its last closing parenthesis: state is field 3, ppid 4, utime 14,
  // stime 15, cutime 16 and cstime 17 (1-based).
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
    reapedTicks: Number(fields[13]) + Number(fields[14]),
  };
}
