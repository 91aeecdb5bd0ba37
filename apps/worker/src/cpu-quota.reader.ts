import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/**
 * The cores this process can keep busy at once: the CPUs it may run on (`os.availableParallelism()`),
 * capped by the CPU quota of its control group and of every group above it, where one is set (a
 * Kubernetes CPU limit, `docker run --cpus`), rounded down and at least 1. Node 20's
 * `availableParallelism` counts the CPUs only, so a worker limited to 1 CPU on a 16-CPU node would
 * otherwise count 16.
 */
export function usableCores(): number {
  return coresWithin(availableParallelism(), readCgroupCpuLimit());
}

/** `cpus` capped by `limit` (CPUs, possibly fractional; undefined: none), rounded down, at least 1. */
export function coresWithin(cpus: number, limit: number | undefined): number {
  return Math.max(1, Math.floor(limit === undefined ? cpus : Math.min(cpus, limit)));
}

/**
 * The tightest CPU quota over this process's control groups and their ancestors, in CPUs, or
 * undefined when none is set or none can be read (not Linux). Reads cgroup v2 (`cpu.max`) and v1
 * (`cpu.cfs_quota_us` over `cpu.cfs_period_us`), both in a hybrid layout.
 * `membership` is the text of /proc/self/cgroup; `root` where the hierarchies are mounted.
 */
export function readCgroupCpuLimit(membership = readOrEmpty('/proc/self/cgroup'), root = '/sys/fs/cgroup'): number | undefined {
  let tightest: number | undefined;
  const consider = (limit: number | undefined) => {
    if (limit !== undefined && limit > 0 && (tightest === undefined || limit < tightest)) tightest = limit;
  };
  for (const line of membership.split('\n')) {
    // hierarchy-id:controllers:path; v2 is "0::<path>".
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (line.slice(0, first) === '0' && controllers === '') {
      for (const dir of ancestors(root, path)) consider(v2Limit(readOrEmpty(join(dir, 'cpu.max'))));
    } else if (controllers.split(',').includes('cpu')) {
      for (const dir of ancestors(join(root, controllers), path)) {
        consider(v1Limit(readOrEmpty(join(dir, 'cpu.cfs_quota_us')), readOrEmpty(join(dir, 'cpu.cfs_period_us'))));
      }
    }
  }
  return tightest;
}

/** `base` + `path`, then each of its parents up to `base` itself. */
function ancestors(base: string, path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push(join(base, ...parts.slice(0, n)));
  return dirs;
}

/** cgroup v2 `cpu.max`: "<quota> <period>" in µs, or "max <period>" for none. */
function v2Limit(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  return quota === undefined || quota === 'max' || quota === '' ? undefined : ratio(quota, period);
}

/** cgroup v1: a quota of -1 means none. */
function v1Limit(quota: string, period: string): number | undefined {
  return quota.trim() === '' || quota.trim() === '-1' ? undefined : ratio(quota, period);
}

function ratio(quota: string, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && Number.isFinite(p) && q > 0 && p > 0 ? q / p : undefined;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
