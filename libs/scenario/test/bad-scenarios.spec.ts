import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { ScenarioError, formatProblem } from '../src/scenario.error.js';
import { readScenarioFile } from '../src/scenario.parser.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const zoo = readZoo(REPO_MANIFEST);

/** One fixture per class of error: what the first reported problem must say (file:line: path: message). */
const CASES: [file: string, expected: RegExp][] = [
  ['yaml-syntax', /yaml-syntax\.yaml:\d+: \(document\): YAML syntax: /],
  ['duplicate-key', /duplicate-key\.yaml:\d+: \(document\): YAML syntax: Map keys must be unique/],
  ['schema-version', /schema-version\.yaml:2: schemaVersion: Invalid input: expected 1/],
  ['wrong-type', /wrong-type\.yaml:8: clusters\.1\.slots: Invalid input: expected number, received string/],
  ['bad-enum', /bad-enum\.yaml:8: clusters\.1\.tier: Invalid option: expected one of "far-edge"\|"near-edge"\|"cloud"/],
  ['missing-field', /missing-field\.yaml:\d+: applications: Invalid input: expected array, received undefined/],
  ['out-of-range', /out-of-range\.yaml:15: applications\.0\.slo\.minAccuracy: Too big: expected number to be <=1/],
  ['bad-identifier', /bad-identifier\.yaml:8: clusters\.1\.id: expected 1-64 characters of \[A-Za-z0-9_-\]/],
  ['unknown-hardware', /unknown-hardware\.yaml:8: clusters\.1\.hardware: unknown hardware class "gpu"; expected one of: box/],
  ['unknown-link-cluster', /unknown-link-cluster\.yaml:13: links\.1\.cluster: unknown cluster "c3"/],
  ['unknown-arrival-app', /unknown-arrival-app\.yaml:19: workload\.arrivals\.0\.app: unknown application "writer"/],
  ['unknown-load-scale-app', /unknown-load-scale-app\.yaml:20: workload\.appLoadScale\.writer: unknown application "writer"/],
  ['unknown-burst-app', /unknown-burst-app\.yaml:20: workload\.modulation\.apps\.0: unknown application "writer"/],
  ['duplicate-id', /duplicate-id\.yaml:8: clusters\.1\.id: duplicate id "c1"/],
  ['missing-link', /missing-link\.yaml:\d+: links: every \(source, cluster\) pair needs a link \(or use linkMatrix\); missing 1: s1 -> c2/],
  ['links-and-matrix', /links-and-matrix\.yaml:\d+: linkMatrix: give either links or linkMatrix, not both/],
  ['matrix-shape', /matrix-shape\.yaml:\d+: linkMatrix\.rttMs\.0: expected 1 columns \(one per cluster\), got 2/],
  ['unknown-arrival-kind', /unknown-arrival-kind\.yaml:19: workload\.arrivals\.0\.process\.kind: Invalid discriminator value\. Expected 'poisson' \| 'diurnal' \| 'flash-crowd' \| 'mmpp' \| 'trace'/],
  ['unknown-variant', /unknown-variant\.yaml:8: clusters\.1\.variants\.0: variant "resnet-152" is not in the model zoo/],
  ['unknown-task', /unknown-task\.yaml:15: applications\.0\.task: task "speech" is not in the model zoo; known: digits/],
  ['task-not-hosted', /task-not-hosted\.yaml:15: applications\.0\.task: no cluster hosts a variant of task "cluttered-digits"/],
  ['missing-trace', /missing-trace\.yaml:19: workload\.arrivals\.0\.process\.file: cannot read trace .*nowhere\.csv \(ENOENT\)/],
  ['trace-no-header', /trace-no-header\.csv:1: \(document\): header must name an offset_ms column/],
  ['trace-decreasing', /trace-decreasing\.csv:3: offset_ms: offsets must not decrease: 3 after 5/],
  ['extends-cycle', /extends-cycle\.yaml:3: extends: extends forms a cycle: .*extends-cycle\.yaml -> .*extends-cycle\.yaml/],
  ['extends-missing', /extends-missing\.yaml:3: extends: cannot read base scenario .*nowhere\.yaml \(ENOENT\)/],
  ['dynamics-no-target', /dynamics-no-target\.yaml:\d+: dynamics\.0: name the affected clusters \(clusters: \[\.\.\.\]\) or tiers/],
  ['trace-not-number', /trace-not-number\.csv:3: offset_ms: expected a number of milliseconds >= 0, got "soon"/],
];

describe('bad scenario files: every error names the file, the line, the path and what was expected', () => {
  it.each(CASES)('%s', (name, expected) => {
    let error: unknown;
    try {
      readScenarioFile(join(fixtures, 'bad', `${name}.yaml`), { zoo });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const problems = (error as ScenarioError).problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(formatProblem(problems[0]!)).toMatch(expected);
  });

  it('every fixture in bad/ is covered', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(join(fixtures, 'bad')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace('.yaml', ''));
    expect(files.sort()).toEqual(CASES.map(([n]) => n).sort());
  });

  it('extends merges objects over the base and replaces lists', () => {
    const s = readScenarioFile(join(fixtures, 'good', 'extended.yaml'), { zoo });
    expect(s.name).toBe('extended');
    expect(s.clusters).toHaveLength(2);
    expect(s.app('reader')?.slo.maxLatencyMs).toBe(20);
    expect(s.spec.workload).toMatchObject({ queries: 500, seed: 1, modulation: { kind: 'diurnal', amplitude: 0.5 } });
    expect(s.spec.workload.arrivals).toHaveLength(1);
    expect(s.isDown(1, 12_000)).toBe(true);
    expect(s.isDown(1, 16_000)).toBe(false);
  });

  it('the good fixtures load, including a replayed trace and a link matrix', () => {
    expect(readScenarioFile(join(fixtures, 'good', 'minimal.yaml'), { zoo }).clusters).toHaveLength(2);
    const traced = readScenarioFile(join(fixtures, 'good', 'traced.yaml'), { zoo });
    expect(Array.from(traced.traces.get(0) ?? [])).toEqual([0, 12.5, 40, 40, 100]);
    expect(traced.link('s1', 'c1')).toMatchObject({ rttMs: 2, bandwidthMbps: 100, jitterMs: 0.1 });
  });
});
