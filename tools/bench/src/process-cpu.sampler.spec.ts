import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuSnapshot, serverCpuUs } from './process-cpu.sampler.js';

/** The live children of `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (done()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the PostgreSQL server CPU figure', () => {
  let parent: ChildProcess | undefined;
  afterEach(() => {
    parent?.kill('SIGKILL');
    parent = undefined;
  });

  // A stand-in postmaster: a shell whose child (a "backend") burns CPU, exits and is reaped, while the shell lives on.
  it('keeps an exited and reaped child\'s time counted, in both samplers', async () => {
    parent = spawn('sh', ['-c', `${JSON.stringify(process.execPath)} -e "const t = Date.now(); while (Date.now() - t < 400) {}"; sleep 30`], { stdio: 'ignore' });
    const pid = parent.pid as number;
    let child: number | undefined;
    await until('the busy child', () => (child = childrenOf(pid).find((c) => readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('Date.now'))) !== undefined);
    // Wait until the child has used some CPU that the figure counts, then until it has exited and been reaped.
    let whileAlive = 0;
    await until('the child to use CPU', () => (whileAlive = serverCpuUs({ nats: undefined, postmaster: pid }).postgres ?? 0) >= 50_000);
    const snapshotAlive = cpuSnapshot(pid).postgres ?? 0;
    await until('the child to exit', () => !childrenOf(pid).includes(child as number));
    const afterExit = serverCpuUs({ nats: undefined, postmaster: pid }).postgres ?? 0;
    expect(afterExit).toBeGreaterThanOrEqual(whileAlive);
    expect(cpuSnapshot(pid).postgres ?? 0).toBeGreaterThanOrEqual(snapshotAlive);
  });
});
