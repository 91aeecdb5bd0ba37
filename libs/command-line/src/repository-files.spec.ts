import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './repo.paths.js';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

describe('the repository says how it may be used and cited', () => {
  it('ships the license package.json names, in its full text', () => {
    const pkg = JSON.parse(read('package.json')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    const license = read('LICENSE');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it('credits the ASET paper in CITATION.cff, with the version and license of package.json', () => {
    const pkg = JSON.parse(read('package.json')) as { license: string; version: string };
    const cff = read('CITATION.cff');
    expect(cff).toMatch(/^cff-version: 1\.2\.0$/m);
    expect(cff).toMatch(new RegExp(`^version: ${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
    expect(cff).toMatch(new RegExp(`^license: ${pkg.license}$`, 'm'));
    expect(cff).toContain('title: Scheduling Inference Workloads on Distributed Edge Clusters with Reinforcement Learning');
    expect(cff).toContain('doi: 10.48550/arXiv.2301.13618');
    expect(cff).toMatch(/preferred-citation:\n {2}type: article/);
  });

  it('names in NOTICE every data set the zoo was built from, with its license', () => {
    const notice = read('NOTICE');
    expect(notice).toContain('Apache License, Version 2.0');
    expect(notice).toContain('arXiv:2301.13618');
    // One entry per held-out set in models/datasets, and the licenses of their sources.
    for (const file of readdirSync(join(REPO_ROOT, 'models', 'datasets'))) expect(notice).toContain(`models/datasets/${file}`);
    expect(notice).toMatch(/Optical Recognition of Handwritten\s+Digits/);
    expect(notice).toContain('Creative Commons Attribution 4.0 International');
    expect(notice).toMatch(/china\.jpg.*\n\s+flower\.jpg/);
    expect(notice).toContain('Creative Commons Attribution 2.0');
    expect(notice).toContain('BSD 3-Clause');
  });
});
