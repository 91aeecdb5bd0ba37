import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HostSampler } from './host.sampler.js';

describe('HostSampler', () => {
  it("measures a service's CPU time and the host's busy windows while a run goes", async () => {
    // A service that spins until it has used 1 s of CPU however busy the host is (so at least 1 s), then exits.
    const child = spawn(process.execPath, ['-e', 'const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }; while (u() < 1000);']);
    const sampler = new HostSampler(() => new Map([['spinner', child.pid]]), 250);
    await new Promise((resolve) => child.once('exit', resolve));
    const usage = sampler.stop();
    expect(usage.cores).toBeGreaterThan(0);
    expect(usage.windows).toBeGreaterThanOrEqual(3);
    // One process spinning keeps at least one core busy; the exited service's whole time is counted.
    expect(usage.maxBusy).toBeGreaterThanOrEqual(0.9 / usage.cores);
    expect(usage.meanBusy).toBeLessThanOrEqual(usage.maxBusy);
    expect(usage.serviceCpuMs['spinner']).toBeGreaterThanOrEqual(990);
    expect(usage.representative).toBe(usage.saturatedWindows === 0);
  });

  it("counts the whole CPU time of a service that exited between readings (the parent's reaped-children time)", async () => {
    // Spins until it has used 400 ms of CPU however busy the host is, then exits; no reading in between (period 60 s).
    const spin = 'const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }; while (u() < 400);';
    const child = spawn(process.execPath, ['-e', spin]);
    const sampler = new HostSampler(() => new Map([['spinner', child.pid]]), 60_000);
    await new Promise((resolve) => child.once('exit', resolve));
    const usage = sampler.stop();
    // Its reading at the start was a few ms at most: only the reaped-children time holds the rest.
    expect(usage.serviceCpuMs['spinner']).toBeGreaterThanOrEqual(390);
  });

  it('splits that time between two services that exited, in proportion to their last readings', async () => {
    const spin = (ms: number) => `const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }; while (u() < ${ms});`;
    const a = spawn(process.execPath, ['-e', spin(300)]);
    const b = spawn(process.execPath, ['-e', spin(300)]);
    const sampler = new HostSampler(() => new Map([['a', a.pid], ['b', b.pid]]), 60_000);
    await Promise.all([a, b].map((c) => new Promise((resolve) => c.once('exit', resolve))));
    const usage = sampler.stop();
    const total = (usage.serviceCpuMs['a'] ?? 0) + (usage.serviceCpuMs['b'] ?? 0);
    expect(total).toBeGreaterThanOrEqual(590);
  });

  it('marks a run not representative when a window had more than the threshold of all cores busy, and says why', async () => {
    const cores = (await import('node:os')).cpus().length;
    const spinners = Array.from({ length: cores }, () => spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);']));
    // Threshold 0.5: with every core spinning, windows are far above it, whatever else the host does.
    const sampler = new HostSampler(() => new Map(spinners.map((s, i) => [`spinner-${i}`, s.pid])), 250, 0.5);
    await Promise.all(spinners.map((s) => new Promise((resolve) => s.once('exit', resolve))));
    const usage = sampler.stop();
    expect(usage.saturatedWindows).toBeGreaterThan(0);
    expect(usage.representative).toBe(false);
    expect(usage.reason).toMatch(new RegExp(`the host was saturated: \\d+ of \\d+ windows of 0\\.25 s had more than 50% of its ${cores} cores busy`));
  });
});
