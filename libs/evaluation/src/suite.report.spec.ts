import { describe, expect, it } from 'vitest';
import { claimStatement, mergeResultsDocument, suiteSection } from './results.markdown.js';
import type { SuiteSpec } from './suite.catalog.js';
import { buildSuiteReport, type SeedBounds, type SeedRun } from './suite.report.js';

const suite: SuiteSpec = {
  name: 'toy',
  description: 'two scenarios',
  directory: 'toy',
  scenarios: [
    { name: 'calm', dynamic: false },
    { name: 'storm', dynamic: true },
  ],
  agentsFrom: 'toy/base',
};
const seeds = [1, 2, 3, 4, 5];
// Per scenario and policy: a base success, plus a per-seed swing that every policy shares (same arrivals).
const swing = [0, 0.04, -0.03, 0.02, -0.01];
const base: Record<string, Record<string, number>> = {
  calm: { closest: 0.9, greedy: 0.92, aset: 0.921, 'aset@seed-2': 0.93 },
  storm: { closest: 0.6, greedy: 0.7, aset: 0.75, 'aset@seed-2': 0.72 },
};
const runs: SeedRun[] = Object.entries(base).flatMap(([scenario, ps]) =>
  Object.entries(ps).flatMap(([policy, v]) => seeds.map((seed, i) => ({ scenario, seed, policy, successRatio: v + (swing[i] as number) + (policy === 'aset' && scenario === 'calm' ? (i % 2 ? 0.01 : -0.01) : 0), p95Ms: 10, drops: 0, timedOut: 0 }))),
);
const bounds: SeedBounds[] = ['calm', 'storm'].flatMap((scenario) => seeds.map((seed) => ({ scenario, seed, upperBound: 1, capacityBound: scenario === 'calm' ? 0.97 : 0.8 })));
const roles = { heuristics: ['closest', 'greedy'], asetModes: ['aset'], ablations: [['aset', 'closest']] as [string, string][] };
const trained = [
  { mode: 'aset', trainingSeed: 1, label: 'aset', checkpoint: 'checkpoints/toy-base.aset.json', shipped: true },
  { mode: 'aset', trainingSeed: 2, label: 'aset@seed-2', checkpoint: 'checkpoints/seeds/toy-base.aset.seed-2.json', shipped: false },
];

describe('suite report', () => {
  const report = buildSuiteReport(suite, seeds, runs, bounds, roles, trained);

  it('picks the best heuristic and the best ASET mode per scenario, and compares them paired by seed', () => {
    const [calm, storm] = report.scenarios;
    expect(calm?.bestHeuristic).toBe('greedy');
    expect(storm?.bestHeuristic).toBe('greedy');
    // calm: +0.1 point with noise of ±1 point that the seeds do not share: no difference shown.
    expect(calm?.comparisons[0]).toMatchObject({ a: 'aset', b: 'greedy', verdict: 'no-difference' });
    // storm: +5 points on every seed: a difference.
    expect(storm?.comparisons[0]).toMatchObject({ a: 'aset', b: 'greedy', verdict: 'better' });
    expect(storm?.comparisons[0]?.difference).toBeCloseTo(0.05, 12);
    expect(storm?.comparisons[1]).toMatchObject({ a: 'aset', b: 'closest', verdict: 'better' });
    expect(calm?.capacityBound).toBeCloseTo(0.97, 12);
    expect(storm?.policies['closest']?.successRatio).toBeCloseTo(0.6 + 0.004, 12);
    expect(storm?.policies['closest']?.perSeed).toHaveLength(5);
  });

  it('averages the best-ASET-minus-best-heuristic difference over the suite, paired by seed', () => {
    // calm: +0.1 point minus the mean of the unshared noise (-0.2 point); storm: +5 points.
    expect(report.asetVsBestHeuristic?.difference).toBeCloseTo((0.001 - 0.002 + 0.05) / 2, 12);
    expect(report.asetVsBestHeuristic?.verdict).toBe('better');
  });

  it('reports the spread across training seeds', () => {
    const spread = report.trainingSeeds[0];
    expect(spread?.agents.map((a) => a.trainingSeed)).toEqual([1, 2]);
    expect(spread?.range['storm']?.[0]).toBeCloseTo(0.724, 12);
    expect(spread?.range['storm']?.[1]).toBeCloseTo(0.754, 12);
  });

  it('compares every agent of the spread on the spread seeds only, and keeps the other-seed agents out of the policies', () => {
    const fewer = runs.filter((r) => r.policy !== 'aset@seed-2' || r.seed <= 2);
    const r = buildSuiteReport(suite, seeds, fewer, bounds, roles, trained, [1, 2]);
    const spread = r.trainingSeeds[0];
    expect(spread?.workloadSeeds).toEqual([1, 2]);
    // seeds 1 and 2 swing by 0 and +0.04: the shipped agent on storm is 0.75 + 0.02 there, not its 5-seed mean.
    expect(spread?.agents[0]?.perScenario['storm']).toBeCloseTo(0.77, 12);
    expect(spread?.agents[1]?.perScenario['storm']).toBeCloseTo(0.74, 12);
    expect(r.scenarios[1]?.policies['aset']?.perSeed).toHaveLength(5);
    expect(r.scenarios[1]?.policies['aset@seed-2']).toBeUndefined();
    expect(() => buildSuiteReport(suite, seeds, fewer, bounds, roles, trained, [1, 3])).toThrow(/no run of aset@seed-2 on calm with seed 3/);
    expect(() => buildSuiteReport(suite, seeds, fewer, bounds, roles, trained, [1, 9])).toThrow(/spread seeds 9 are not among the workload seeds/);
  });

  it('names a missing run or bound', () => {
    expect(() => buildSuiteReport(suite, seeds, runs, bounds.slice(1), roles)).toThrow(/no bounds for calm with seed 1/);
    expect(() => buildSuiteReport(suite, [1, 2, 3, 4, 5, 6], runs, bounds, roles)).toThrow(/no run of closest on calm with seed 6/);
    expect(() => buildSuiteReport(suite, seeds, runs, bounds, roles, [{ ...trained[1]!, label: 'aset@seed-9' }])).toThrow(/no run of aset@seed-9 on calm with seed 1/);
  });

  it('states the claim plainly and renders the section', () => {
    expect(claimStatement(report).join('\n')).toMatch(/beats the best heuristic in 1\*\* \(storm\), \*\*loses in 0\*\* \(none\), and shows no difference in 1 \(calm\)/);
    const md = suiteSection(report, { command: 'npm run -s experiment -- --suite toy --json', queries: null, checkpoints: { aset: 'checkpoints/toy-base.aset.json' }, groups: [{ title: 'heuristics', policies: ['closest', 'greedy'] }, { title: 'ASET', policies: ['aset'] }] });
    expect(md).toContain('| storm (dynamic) | 100.00 | 80.00 | `greedy` 70.40 [');
    expect(md).toMatch(/\| storm \(dynamic\) \| 100\.00 \| 80\.00 \| `greedy` 70\.40 \[[\d.]+, [\d.]+\] \| 9\.60 \|/);
    expect(md).toContain('**aset beats greedy**');
    expect(md).toContain('`aset` seed 2 | 93.40 | 72.40 |');
  });

  it('replaces one suite section and keeps the others', () => {
    const first = mergeResultsDocument('', '# Results', 'standard', 'A\n');
    const both = mergeResultsDocument(first, '# Results', 'contention', 'B\n');
    const again = mergeResultsDocument(both, '# Results v2', 'standard', 'C\n');
    expect(again).toBe('# Results v2\n\n<!-- suite standard: start -->\nC\n<!-- suite standard: end -->\n\n<!-- suite contention: start -->\nB\n<!-- suite contention: end -->\n');
  });

  it('keeps the hand-written text after the last section', () => {
    const both = mergeResultsDocument(mergeResultsDocument('', '# Results', 'standard', 'A\n'), '# Results', 'contention', 'B\n');
    const annotated = `${both}\n## Against the target\n\nWhat was tried.\n`;
    const again = mergeResultsDocument(annotated, '# Results', 'standard', 'C\n');
    expect(again).toBe('# Results\n\n<!-- suite standard: start -->\nC\n<!-- suite standard: end -->\n\n<!-- suite contention: start -->\nB\n<!-- suite contention: end -->\n\n## Against the target\n\nWhat was tried.\n');
    expect(mergeResultsDocument(again, '# Results', 'contention', 'D\n')).toContain('<!-- suite contention: end -->\n\n## Against the target\n\nWhat was tried.\n');
  });
});
