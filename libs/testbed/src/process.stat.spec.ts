import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readProcessStat } from './process.stat.js';

describe.runIf(process.platform === 'linux')('readProcessStat', () => {
  it("reads this process: its parent, and CPU time that grows as it works", () => {
    const before = readProcessStat('self');
    expect(before).toMatchObject({ ppid: process.ppid });
    const end = Date.now() + 60;
    while (Date.now() < end);
    const after = readProcessStat(process.pid);
    expect(after!.ticks).toBeGreaterThan(before!.ticks);
  });

  it('reads a command name holding spaces and parentheses whole, and the fields after it', async () => {
    const child = spawn(process.execPath, ['-e', "process.title = 'a (b) c'; process.stdout.write('ready'); setInterval(() => {}, 1000)"]);
    try {
      await once(child.stdout, 'data');
      expect(readProcessStat(child.pid!)).toMatchObject({ name: 'a (b) c', ppid: process.pid });
    } finally {
      child.kill();
      await once(child, 'exit');
    }
    expect(readProcessStat(child.pid!)).toBeUndefined();
  });
});
