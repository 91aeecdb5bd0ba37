import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CPU_PROFILE_DIR_VAR, ServiceProcess } from './service.process.js';

describe('ServiceProcess', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['ASET_SPEC_EXPORTED', 'ASET_SPEC_OVERRIDDEN', CPU_PROFILE_DIR_VAR]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it("gives the service this process's environment with its own configuration on top", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-service-process-'));
    const entry = join(dir, 'print-env.mjs');
    writeFileSync(entry, 'console.log(JSON.stringify({ exported: process.env.ASET_SPEC_EXPORTED, overridden: process.env.ASET_SPEC_OVERRIDDEN, own: process.env.ASET_SPEC_OWN }));\n');
    process.env['ASET_SPEC_EXPORTED'] = 'from the user';
    process.env['ASET_SPEC_OVERRIDDEN'] = 'from the user';
    const proc = ServiceProcess.start({ name: 'print-env', entry, cwd: dir, env: { ASET_SPEC_OVERRIDDEN: 'from the caller', ASET_SPEC_OWN: 'set' }, logFile: join(dir, 'out.log') });
    expect(await proc.exited).toBe(0);
    // 'exit' may come before the last output: wait for the line.
    await expect.poll(() => proc.tail(), { timeout: 5000 }).toMatch(/\}$/);
    expect(JSON.parse(proc.tail())).toEqual({ exported: 'from the user', overridden: 'from the caller', own: 'set' });
  });

  it(`writes each service's V8 CPU profile into its own folder under ${CPU_PROFILE_DIR_VAR}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-service-profile-'));
    const entry = join(dir, 'spin.mjs');
    writeFileSync(entry, 'let x = 0; for (let i = 0; i < 1e6; i++) x += i; console.log(x);\n');
    process.env[CPU_PROFILE_DIR_VAR] = join(dir, 'profiles');
    const proc = ServiceProcess.start({ name: 'worker far-edge-1', entry, cwd: dir, env: {}, logFile: join(dir, 'out.log') });
    expect(await proc.exited).toBe(0);
    const files = readdirSync(join(dir, 'profiles', 'worker-far-edge-1'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.cpuprofile$/);
    const profile = JSON.parse(readFileSync(join(dir, 'profiles', 'worker-far-edge-1', files[0] as string), 'utf8')) as { nodes: unknown[] };
    expect(profile.nodes.length).toBeGreaterThan(1);
  });
});
