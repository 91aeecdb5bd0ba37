import { join } from 'node:path';
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, checkpointsOption, inRepository } from './repo.paths.js';

describe('inRepository and checkpointsOption', () => {
  it('default to the absolute path inside the repository, whatever the working directory, and show it relative in --help', () => {
    const program = new Command('t').exitOverride().addOption(checkpointsOption()).addOption(inRepository(new Option('--out <file>', 'where'), 'scenarios/isp.yaml'));
    expect(program.parse([], { from: 'user' }).opts()).toEqual({ checkpoints: join(REPO_ROOT, 'checkpoints/'), out: join(REPO_ROOT, 'scenarios/isp.yaml') });
    const help = program.helpInformation();
    expect(help).toContain('(default: checkpoints/ of this repository)');
    expect(help).toContain('(default: scenarios/isp.yaml of this repository)');
    expect(help).not.toContain(REPO_ROOT);
    expect(program.parse(['--checkpoints', 'mine'], { from: 'user' }).opts()['checkpoints']).toBe('mine');
  });
});
