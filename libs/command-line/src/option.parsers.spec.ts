import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, probability } from './option.parsers.js';
import { REPO_ROOT, checkpointPath, scenarioPath } from './repo.paths.js';

describe('option parsers', () => {
  it('accept good values and name the flag and form of bad ones', () => {
    expect(positiveInt('--n')('3')).toBe(3);
    expect(() => positiveInt('--n')('0')).toThrow('--n expects a positive integer, got "0"');
    expect(() => positiveInt('--n')('2.5')).toThrow(/positive integer/);
    expect(nonNegativeInt('--w')('0')).toBe(0);
    expect(positiveNumber('--x')('0.5')).toBe(0.5);
    expect(() => positiveNumber('--x')('abc')).toThrow('--x expects a number > 0, got "abc"');
    expect(nonNegativeNumber('--o')('0')).toBe(0);
    expect(() => nonNegativeNumber('--o')('-1')).toThrow(/>= 0/);
    expect(probability('--p')('0')).toBe(0);
    expect(probability('--p')('0.5')).toBe(0.5);
    expect(probability('--p')('1')).toBe(1);
    for (const bad of ['1.5', '-0.1', 'x', '']) expect(() => probability('--p')(bad)).toThrow(`--p expects a probability in [0, 1], got "${bad}"`);
  });
});

describe('repo paths', () => {
  it('maps scenario names to scenarios/ and keeps file paths', () => {
    expect(scenarioPath('demo')).toBe(join(REPO_ROOT, 'scenarios', 'demo.yaml'));
    expect(scenarioPath('suite/steady')).toBe(join(REPO_ROOT, 'scenarios', 'suite', 'steady.yaml'));
    expect(scenarioPath('/tmp/x.yaml')).toBe('/tmp/x.yaml');
    expect(checkpointPath('suite/base', 'aset')).toBe(join(REPO_ROOT, 'checkpoints', 'suite-base.aset.json'));
    expect(checkpointPath('/tmp/lab/edge.yaml', 'aset-direct')).toBe(join(REPO_ROOT, 'checkpoints', 'edge.aset-direct.json'));
    expect(checkpointPath('demo', 'aset', '/tmp/ck')).toBe('/tmp/ck/demo.aset.json');
  });
});
