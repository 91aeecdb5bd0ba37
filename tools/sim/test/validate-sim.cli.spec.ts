import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';

const CLI = join(REPO_ROOT, 'tools', 'sim', 'dist', 'validate-sim.main.js');

describe('npm run validate:sim (the compiled CLI)', () => {
  it.each([
    [['--queries', 'many'], /--queries expects a positive integer, got "many"/],
    [['--queries', '0'], /--queries expects a positive integer, got "0"/],
    [['--target', '-1'], /--target expects a number > 0, got "-1"/],
    [['--messaging', 'mean'], /--messaging <model>' argument 'mean' is invalid\. Allowed choices are distribution, median/],
  ])('refuses %j before starting anything, naming the option', (args, message) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/live run/);
  });

  it('explains its default query count in its help, and looks for checkpoints in the repository', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/see below/);
    // The repository's checkpoints/ (checkpointsOption: the value is absolute), never this checkout's path.
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('(default: checkpoints/ of this repository)');
    expect(r.stdout).not.toContain(REPO_ROOT);
  });
});
