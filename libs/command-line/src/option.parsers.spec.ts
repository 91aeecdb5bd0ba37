import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MAX_SEED, directory, identifier, integerAtLeast, messagingOverhead, policyNames, seedCountOrList, nonEmpty, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, positiveNumberList, probability, seed } from './option.parsers.js';
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

  it('read a comma-separated list of positive numbers in the order given, and refuse any bad or blank item naming the flag and form', () => {
    expect(positiveNumberList('--rates')('40, 10,20.5')).toEqual([40, 10, 20.5]);
    expect(positiveNumberList('--rates')('7')).toEqual([7]);
    for (const bad of ['', '10,,20', '10,0', '10,-5', 'ten', '10;20', '10,Infinity']) {
      expect(() => positiveNumberList('--rates')(bad)).toThrow(`--rates expects a comma-separated list of numbers > 0 (e.g. 10,20,40), got "${bad}"`);
    }
  });

  it('keep a non-blank value as given and refuse a blank one naming what the flag expects', () => {
    expect(nonEmpty('--scenario', 'a scenario name or file')(' demo ')).toBe(' demo ');
    for (const bad of ['', '  ', '\t']) expect(() => nonEmpty('--scenario', 'a scenario name or file')(bad)).toThrow(`--scenario expects a scenario name or file, got "${bad}"`);
  });

  it('resolve a directory, existing or not, and refuse a blank value or a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-option-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(directory('--out')(dir)).toBe(dir);
    expect(directory('--out')(join(dir, 'not-yet'))).toBe(join(dir, 'not-yet'));
    expect(directory('--out')('relative/out')).toBe(resolve('relative/out'));
    expect(() => directory('--out')(' ')).toThrow('--out expects a directory, got " "');
    expect(() => directory('--out')(file)).toThrow(`--out expects a directory, got "${file}" (a file)`);
  });
});

describe('seed and messagingOverhead', () => {
  it('takes the same seed range in every tool, 0 to 2^32-1, and names the flag otherwise', () => {
    expect(seed('--seed')('0')).toBe(0);
    expect(seed('--seed')(String(MAX_SEED))).toBe(4294967295);
    for (const bad of ['-1', '1.5', 'abc', '', String(MAX_SEED + 1)]) expect(() => seed('--seed')(bad)).toThrow(`--seed expects a seed, an integer 0-4294967295, got "${bad}"`);
  });

  it('reads request and reply, or one number for the whole reply path', () => {
    expect(messagingOverhead('--overhead-ms')('2.3,1.1')).toEqual({ request: 2.3, reply: 1.1 });
    expect(messagingOverhead('--overhead-ms')(' 4 ')).toEqual({ request: 0, reply: 4 });
    for (const bad of ['abc', '1,', '1,2,3', '-1,2', '', 'Infinity']) {
      expect(() => messagingOverhead('--overhead-ms')(bad)).toThrow(`--overhead-ms expects milliseconds >= 0, as "<request>,<reply>" (e.g. 2.3,1.1) or one number for the whole reply path, got "${bad}"`);
    }
  });
});

describe('policyNames', () => {
  const known = ['closest', 'random', 'aset'];
  it('reads several known policies in order, or all where the command allows it', () => {
    expect(policyNames('--policies', known)(' random , closest')).toEqual(['random', 'closest']);
    expect(policyNames('--policies', known, { all: true })('all')).toBe('all');
    expect(() => policyNames('--policies', known)('all')).toThrow('--policies: "all" is not a policy; expected comma-separated policies among: closest, random, aset');
  });

  it('names unknown, empty and repeated entries', () => {
    expect(() => policyNames('--policies', known)('closest,fastest,slowest')).toThrow('--policies: "fastest", "slowest" are not policies; expected comma-separated policies among: closest, random, aset');
    expect(() => policyNames('--policies', known, { all: true })('closest,,random')).toThrow('--policies expects "all" or comma-separated policies among: closest, random, aset, got "closest,,random"');
    expect(() => policyNames('--policies', known)('random,random')).toThrow('--policies names "random" twice');
  });
});

describe('integerAtLeast, identifier and seedCountOrList', () => {
  it('name the flag and the form', () => {
    expect(integerAtLeast('--clusters', 3)('3')).toBe(3);
    expect(() => integerAtLeast('--clusters', 3)('2')).toThrow('--clusters expects an integer >= 3, got "2"');
    expect(identifier('--name')('isp-2')).toBe('isp-2');
    expect(() => identifier('--name')('isp 2')).toThrow('--name expects 1-64 characters of [A-Za-z0-9_-], got "isp 2"');
  });

  it('reads seeds as a count or a list, within the seed range, none twice', () => {
    expect(seedCountOrList('--seeds')('3')).toEqual([1, 2, 3]);
    expect(seedCountOrList('--seeds')('7, 0,11')).toEqual([7, 0, 11]);
    expect(() => seedCountOrList('--seeds')('0')).toThrow('--seeds: a count of seeds must be at least 1, got "0"');
    expect(() => seedCountOrList('--seeds')('1,x')).toThrow(/^--seeds expects a count \(e\.g\. 5, for seeds 1-5\) or comma-separated seeds, integers 0-4294967295 \(e\.g\. 1,2,3\), got "1,x"$/);
    expect(() => seedCountOrList('--seeds')('2,2')).toThrow('--seeds repeats a seed: "2,2"');
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
