import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';
import { HEURISTIC_POLICY_NAMES } from '@aset/scheduling';

const EXPERIMENT = join(REPO_ROOT, 'tools', 'aset', 'dist', 'experiment.main.js');

/** The compiled CLI (npm test builds first), as a user runs it. */
function experiment(args: string[]) {
  return spawnSync(process.execPath, [EXPERIMENT, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 600_000 });
}

describe('npm run experiment (the compiled CLI)', () => {
  it('prints the report of every policy over the seeds as one JSON object on its last stdout line', () => {
    const journal = join(mkdtempSync(join(tmpdir(), 'aset-experiment-')), 'runs.jsonl');
    const args = ['--suite', 'standard', '--scenarios', 'steady', '--seeds', '2', '--queries', '3000', '--no-training-seeds', '--no-write', '--json', '--threads', '2', '--journal', journal];
    const run = experiment(args);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
      suite: string;
      seeds: number[];
      scenarios: { name: string; upperBound: number; capacityBound: number; bestHeuristic: string; policies: Record<string, { successRatio: number; ci95: [number, number]; p95Ms: number | null; drops: number }> }[];
    };
    expect(report.suite).toBe('standard');
    expect(report.seeds).toEqual([1, 2]);
    const [steady] = report.scenarios;
    expect(steady?.name).toBe('steady');
    // Every registered heuristic is compared, with no list of them in the experiment.
    const policies = [...HEURISTIC_POLICY_NAMES, 'aset', 'aset-direct', 'aset-direct-unshielded'];
    expect(Object.keys(steady?.policies ?? {}).sort()).toEqual([...policies].sort());
    for (const p of policies) {
      const f = steady?.policies[p];
      expect(f, p).toBeDefined();
      expect(f?.ci95[0]).toBeLessThanOrEqual(f?.successRatio as number);
      expect(f?.ci95[1]).toBeGreaterThanOrEqual(f?.successRatio as number);
    }
    // The capacity-aware bound never exceeds the no-contention one, nor falls below what a policy achieved.
    expect(steady?.capacityBound).toBeLessThanOrEqual((steady?.upperBound as number) + 1e-9);
    expect(steady?.capacityBound).toBeGreaterThanOrEqual(Math.max(...Object.values(steady?.policies ?? {}).map((f) => f.successRatio)) - 1e-9);
    const runs = 2 * policies.length;
    expect(run.stderr).toMatch(new RegExp(`1 scenario x 2 seeds x ${policies.length} policies = ${runs} runs on 2 threads`));
    // Resumed, it reuses every run and reports the same.
    const again = experiment([...args, '--resume']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`${runs} runs \\(${runs} reused from `));
    expect(again.stdout.trim().split('\n').pop()).toBe(run.stdout.trim().split('\n').pop());
  }, 600_000);

  it('with --out, writes a per-query CSV per run and run.json, whose figures the rows reproduce', () => {
    const out = mkdtempSync(join(tmpdir(), 'aset-experiment-out-'));
    const journal = join(out, 'runs.jsonl');
    const run = experiment(['--suite', 'standard', '--scenarios', 'steady', '--seeds', '1', '--queries', '400', '--no-training-seeds', '--no-write', '--threads', '2', '--journal', journal, '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const policies = [...HEURISTIC_POLICY_NAMES, 'aset', 'aset-direct', 'aset-direct-unshielded'];
    const csvs = readdirSync(out).filter((f) => f.endsWith('.csv'));
    expect(csvs.sort()).toEqual(policies.map((p) => `queries.steady.${p}.seed-1.csv`).sort());
    const meta = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
      tool: string;
      suite: string;
      seeds: number[];
      scenarios: { name: string; sha256: string }[];
      policies: { label: string; checkpoints: Record<string, { sha256: string }> }[];
      runs: { policy: string; runId: string; queriesCsv: string; successRatio: number }[];
    };
    expect(meta).toMatchObject({ tool: 'experiment', suite: 'standard', seeds: [1] });
    expect(meta.scenarios.map((x) => x.name)).toEqual(['steady']);
    expect(meta.policies.find((p) => p.label === 'aset-direct')?.checkpoints['aset-direct']?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.runs).toHaveLength(policies.length);
    for (const r of meta.runs) {
      const [header, ...lines] = readFileSync(join(out, r.queriesCsv), 'utf8').trim().split('\n');
      const col = (header as string).split(',');
      const measured = lines.map((l) => l.split(',')).filter((c) => c[col.indexOf('warmup')] === 'false');
      expect(measured, r.policy).toHaveLength(400);
      expect(measured.every((c) => c[col.indexOf('run_id')] === r.runId)).toBe(true);
      expect(measured.filter((c) => c[col.indexOf('slo_met')] === 'true').length / 400, r.policy).toBeCloseTo(r.successRatio, 10);
    }
  }, 600_000);

  it('refuses bad options, naming them', () => {
    expect(experiment(['--suite', 'nightly']).stderr).toMatch(/unknown suite "nightly"; expected one of: standard, contention/);
    expect(experiment(['--seeds', '1,x']).stderr).toMatch(/--seeds expects a count .* got "1,x"/);
    expect(experiment(['--scenarios', 'steady,sunny']).stderr).toMatch(/--scenarios: sunny not in suite standard/);
    expect(experiment(['--queries', '-3']).stderr).toMatch(/--queries expects a positive integer, got "-3"/);
    expect(experiment(['--out', '']).stderr).toMatch(/--out expects a directory, got ""/);
    expect(experiment(['--seeds', '3', '--spread-seeds', '1,7']).stderr).toMatch(/--spread-seeds: 7 not among the workload seeds 1, 2, 3/);
    expect(experiment(['--spread-seeds', '9']).stderr).toMatch(/--spread-seeds 9: a count must be between 1 and the 5 workload seeds/);
  }, 120_000);
});
