import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';
import { POLICY_LAB_SCENARIO } from '@aset/scenario/testing';

const TRAIN = join(REPO_ROOT, 'tools', 'aset', 'dist', 'train.main.js');

/** The compiled CLI (npm test builds first), as a user runs it. */
function train(args: string[]) {
  return spawnSync(process.execPath, [TRAIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
}

describe('npm run train with actors (the compiled CLI)', () => {
  it('writes the same checkpoint whether the rounds run in this thread or on worker threads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-train-'));
    const small = ['--scenario', POLICY_LAB_SCENARIO, '--mode', 'aset-direct', '--episodes', '4', '--episode-sec', '2', '--eval-every', '2', '--eval-episodes', '1', '--actors', '2'];
    const inProcess = train([...small, '--out', join(dir, 'one.json')]);
    expect(inProcess.status, inProcess.stderr).toBe(0);
    const threaded = train([...small, '--threads', '2', '--out', join(dir, 'two.json')]);
    expect(threaded.status, threaded.stderr).toBe(0);
    const one = readFileSync(join(dir, 'one.json'), 'utf8');
    expect(readFileSync(join(dir, 'two.json'), 'utf8')).toBe(one);
    expect(JSON.parse(one)).toMatchObject({ metadata: { mode: 'aset-direct', actors: 2 } });
  });

  it('refuses --threads without --actors, saying why', () => {
    const run = train(['--scenario', POLICY_LAB_SCENARIO, '--threads', '2', '--out', join(mkdtempSync(join(tmpdir(), 'aset-train-')), 'x.json')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--threads runs the episodes of a round: give --actors too');
  });
});
