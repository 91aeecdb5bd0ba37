import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coresWithin, readCgroupCpuLimit, usableCores } from './cpu-quota.reader.js';

/** A cgroup mount laid out in a temporary directory: `files` maps a path under it to its text. */
function mount(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'aset-cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('readCgroupCpuLimit', () => {
  it('reads cgroup v2 cpu.max, taking the tightest quota of the group and its ancestors', () => {
    const root = mount({ 'cpu.max': 'max 100000\n', 'kubepods/cpu.max': '400000 100000\n', 'kubepods/pod1/cpu.max': '150000 100000\n', 'kubepods/pod1/c1/cpu.max': 'max 100000\n' });
    expect(readCgroupCpuLimit('0::/kubepods/pod1/c1\n', root)).toBe(1.5);
    expect(readCgroupCpuLimit('0::/\n', root)).toBeUndefined();
  });

  it('reads cgroup v1 quota over period in the cpu controller, however it is combined, -1 meaning none', () => {
    const root = mount({ 'cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '200000\n', 'cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n', 'cpu,cpuacct/cpu.cfs_quota_us': '-1\n', 'cpu,cpuacct/cpu.cfs_period_us': '100000\n' });
    const membership = '11:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n';
    expect(readCgroupCpuLimit(membership, root)).toBe(2);
    expect(readCgroupCpuLimit('4:cpu,cpuacct:/\n', root)).toBeUndefined();
  });

  it("reads a container's own mount when the path it is listed under is not there (v1 without a cgroup namespace)", () => {
    const root = mount({ 'cpu/cpu.cfs_quota_us': '50000', 'cpu/cpu.cfs_period_us': '100000' });
    expect(readCgroupCpuLimit('3:cpu:/kubepods/burstable/pod9/c9\n', root)).toBe(0.5);
  });

  it('takes the tighter of v1 and v2 in a hybrid layout, and none where nothing can be read', () => {
    const root = mount({ 'cpu.max': '300000 100000', 'cpu/cpu.cfs_quota_us': '100000', 'cpu/cpu.cfs_period_us': '100000' });
    expect(readCgroupCpuLimit('1:cpu:/\n0::/\n', root)).toBe(1);
    expect(readCgroupCpuLimit('', root)).toBeUndefined();
    expect(readCgroupCpuLimit('0::/\n1:cpu:/\n', join(root, 'absent'))).toBeUndefined();
    expect(readCgroupCpuLimit('garbage\n0::/\n', mount({ 'cpu.max': 'not numbers' }))).toBeUndefined();
  });
});

describe('usable cores', () => {
  it('caps the CPUs by the quota, rounded down, at least 1', () => {
    expect(coresWithin(16, undefined)).toBe(16);
    expect(coresWithin(16, 2)).toBe(2);
    expect(coresWithin(16, 1.5)).toBe(1);
    expect(coresWithin(16, 0.5)).toBe(1);
    expect(coresWithin(2, 8)).toBe(2);
  });

  it("on this machine: at most its CPUs and at least 1", () => {
    const cores = usableCores();
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(availableParallelism());
  });
});
