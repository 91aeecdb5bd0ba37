import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HostSampler } from './host.sampler.js';

describe('HostSampler', () => {
  it("measures a service's CPU time and the host's busy windows while a run goes", async () => {
    // A service that spins for about 1.2 s of CPU, then exits.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 1200; while (Date.now() < end);']);
    const sampler = new HostSampler(() => new Map([['spinner', child.pid]]), 250);
    await new Promise((resolve) => child.once('exit', resolve));
    const usage = sampler.stop();
    expect(usage.cores).toBeGreaterThan(0);
    expect(usage.windows).toBeGreaterThanOrEqual(3);
    // One process spinning keeps at least one core busy; the exited service keeps its last reading.
    expect(usage.maxBusy).toBeGreaterThanOrEqual(0.9 / usage.cores);
    expect(usage.meanBusy).toBeLessThanOrEqual(usage.maxBusy);
    expect(usage.serviceCpuMs['spinner']).toBeGreaterThan(500);
    expect(usage.representative).toBe(usage.saturatedWindows === 0);
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
