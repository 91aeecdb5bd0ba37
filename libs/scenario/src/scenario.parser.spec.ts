import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FILES } from '@aset/contracts';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { parseScenario, readScenarioFile } from './scenario.parser.js';
import { ScenarioError, formatProblem } from './scenario.error.js';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from './testing.js';

const zoo = readZoo(REPO_MANIFEST);
const demoFile = POLICY_LAB_SCENARIO;
const demoText = readFileSync(demoFile, 'utf8');
const GOOD = fileURLToPath(new URL('../test/fixtures/good/', import.meta.url));

function problemsOf(text: string) {
  const r = parseScenario(text, 'bad.yaml', { zoo });
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('parseScenario', () => {
  it('loads every committed scenario with its zoo binding', () => {
    for (const name of ['demo', 'isp']) expect(readScenarioFile(join(REPO_SCENARIOS, `${name}.yaml`), { zoo }).name).toBe(name);
  });

  it('loads the policy-lab fixture over three tiers', () => {
    const s = readScenarioFile(demoFile, { zoo });
    expect(s.name).toBe('policy-lab');
    expect(s.clusters.length).toBeGreaterThanOrEqual(3);
    expect(new Set(s.clusters.map((c) => c.tier))).toEqual(new Set(['far-edge', 'near-edge', 'cloud']));
  });

  it('orders clusters by RTT per source', () => {
    const s = readScenarioFile(demoFile, { zoo });
    const order = s.clustersByProximity(s.sourceIndex('ap-2')).map((i) => s.clusters[i]?.id);
    expect(order[0]).toBe('far-edge-2');
    expect(order.at(-1)).toBe('cloud-1');
  });

  it('reports YAML syntax errors with a line', () => {
    const [p] = problemsOf('schemaVersion: 1\nname: [unclosed\n');
    expect(p?.message).toMatch(/YAML syntax/);
    expect(p?.line).toBeGreaterThan(0);
  });

  it('names file, path, line and the expected form of a schema violation', () => {
    const problems = problemsOf(demoText.replace('tier: near-edge', 'tier: edge'));
    expect(problems).toHaveLength(1);
    const text = formatProblem(problems[0]!);
    expect(text).toMatch(/^bad\.yaml:\d+: clusters\.2\.tier: /);
    expect(text).toMatch(/far-edge/);
  });

  it('reads every kind of dynamic event and names a bad field of one', () => {
    const withDynamics = (events: string) => `${demoText.trimEnd()}\ndynamics:\n${events}\n`;
    const s = readScenarioFile(demoFile, { zoo });
    const parsed = parseScenario(withDynamics('  - { kind: slowdown, tiers: [far-edge], startSec: 1, durationSec: 2, factor: 1.5 }'), 'ok.yaml', { zoo });
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
    const edge = s.clusters.findIndex((c) => c.tier === 'far-edge');
    const cloud = s.clusters.findIndex((c) => c.tier === 'cloud');
    expect([parsed.scenario.processingFactor(edge, 999), parsed.scenario.processingFactor(edge, 1000), parsed.scenario.processingFactor(edge, 3000)]).toEqual([1, 1.5, 1]);
    expect(parsed.scenario.processingFactor(cloud, 1000)).toBe(1);
    const [p] = problemsOf(withDynamics('  - { kind: slowdown, tiers: [far-edge], startSec: 1, durationSec: 2, factor: 0.5 }'));
    expect(formatProblem(p!)).toMatch(/dynamics\.0\.factor: /);
  });

  it('reports unknown references', () => {
    const problems = problemsOf(demoText.replace('hardware: edge-medium', 'hardware: gpu-box'));
    expect(problems[0]).toMatchObject({ path: 'clusters.2.hardware' });
    expect(problems[0]?.message).toMatch(/unknown hardware class "gpu-box"; expected one of: edge-small/);
  });

  it('reports a missing (source, cluster) link', () => {
    const text = demoText.replace(/.*source: ap-2, cluster: cloud-1.*\n/, '');
    expect(problemsOf(text)[0]?.message).toMatch(/missing 1: ap-2 -> cloud-1/);
  });

  it('reports a variant that is not in the zoo', () => {
    const problems = problemsOf(demoText.replace('variants: [digits-linear-xs] }', 'variants: [resnet-999] }'));
    expect(problems[0]).toMatchObject({ path: 'clusters.0.variants.0' });
  });

  it('reports duplicate ids', () => {
    const problems = problemsOf(demoText.replace('- { id: ap-2,', '- { id: ap-1,'));
    expect(problems.some((p) => p.path === 'sources.1.id' && /duplicate/.test(p.message))).toBe(true);
  });

  it('throws ScenarioError with every problem from readScenarioFile', () => {
    expect(() => readScenarioFile('/nonexistent/x.yaml')).toThrow(ScenarioError);
    expect(() => readScenarioFile('/nonexistent/x.yaml')).toThrow(/x\.yaml: \(document\): cannot read the file \(ENOENT\)/);
  });
});

describe('scenario and trace files as data: size limits and malformed content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aset-scenario-files-'));
  const traced = readFileSync(join(GOOD, 'traced.yaml'), 'utf8');
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const firstProblem = (path: string) => {
    try {
      readScenarioFile(path, { zoo });
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      return formatProblem((e as ScenarioError).problems[0]!);
    }
    throw new Error(`expected ${path} to be refused`);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`refuses a scenario over ${DATA_FILES.scenario.maxBytes} bytes before reading it`, () => {
    const path = write('huge.yaml', '');
    truncateSync(path, DATA_FILES.scenario.maxBytes + 1);
    expect(firstProblem(path)).toBe(`${path}: (document): the file is ${DATA_FILES.scenario.maxBytes + 1} bytes, over the limit of ${DATA_FILES.scenario.maxBytes} bytes (16 MiB) for scenario files`);
  });

  it('refuses a base scenario (extends) over the limit, at the extends line', () => {
    const base = write('huge-base.yaml', '');
    truncateSync(base, DATA_FILES.scenario.maxBytes + 1);
    expect(firstProblem(write('extends-huge.yaml', 'schemaVersion: 1\nextends: huge-base.yaml\n'))).toMatch(/extends-huge\.yaml:2: extends: base scenario .*huge-base\.yaml is 16777217 bytes, over the limit/);
  });

  it(`refuses a trace over ${DATA_FILES.trace.maxBytes} bytes, at the line of the scenario naming it`, () => {
    const trace = write('huge.csv', '');
    truncateSync(trace, DATA_FILES.trace.maxBytes + 1);
    const path = write('traced-huge.yaml', traced.replace('file: arrivals.csv', 'file: huge.csv'));
    expect(firstProblem(path)).toBe(`${path}:18: workload.arrivals.0.process.file: trace ${trace} is ${DATA_FILES.trace.maxBytes + 1} bytes, over the limit of ${DATA_FILES.trace.maxBytes} bytes (64 MiB) for arrival trace files`);
  });

  it('refuses a truncated scenario at the place the cut leaves wrong', () => {
    const cut = traced.slice(0, traced.indexOf('applications:'));
    expect(firstProblem(write('truncated.yaml', cut))).toMatch(/truncated\.yaml:1: applications: Invalid input: expected array, received undefined/);
    const midFlow = traced.slice(0, traced.indexOf('variants: [digits') + 12);
    expect(firstProblem(write('truncated-flow.yaml', midFlow))).toMatch(/truncated-flow\.yaml:\d+: \(document\): YAML syntax: /);
  });

  it('refuses a scenario of the wrong shape or not text', () => {
    expect(firstProblem(write('list.yaml', '- a\n- b\n'))).toMatch(/list\.yaml:1: \(document\): Invalid input: expected object, received array/);
    expect(firstProblem(write('binary.yaml', Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xc3, 0x28])))).toMatch(/binary\.yaml: \(document\): the file is not UTF-8 text/);
  });

  it('refuses a truncated trace or one of the wrong shape, naming the trace and its line', () => {
    const sceneWith = (csv: string, content: string) => {
      write(csv, content);
      return write(`${csv}.yaml`, traced.replace('file: arrivals.csv', `file: ${csv}`));
    };
    expect(firstProblem(sceneWith('cut-header.csv', '# Arrival trace\noffs'))).toMatch(/cut-header\.csv:2: \(document\): header must name an offset_ms column, got: offs/);
    expect(firstProblem(sceneWith('header-only.csv', 'offset_ms,note\n'))).toMatch(/header-only\.csv:2: \(document\): the trace has no arrivals/);
    expect(firstProblem(sceneWith('json.csv', '{"offsets": [0, 10]}\n'))).toMatch(/json\.csv:1: \(document\): header must name an offset_ms column/);
    expect(firstProblem(sceneWith('binary.csv', Buffer.from([0x6f, 0xff, 0x0a]).toString('latin1')))).toMatch(/binary\.csv:1: \(document\): header must name an offset_ms column/);
  });
});
