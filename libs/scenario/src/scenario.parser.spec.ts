import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZoo } from '@aset/model-zoo';
import { REPO_MANIFEST } from '@aset/model-zoo/testing';
import { parseScenario, readScenarioFile } from './scenario.parser.js';
import { ScenarioError, formatProblem } from './scenario.error.js';
import { POLICY_LAB_SCENARIO, REPO_SCENARIOS } from './testing.js';

const zoo = readZoo(REPO_MANIFEST);
const demoFile = POLICY_LAB_SCENARIO;
const demoText = readFileSync(demoFile, 'utf8');

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
