import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/testbed';
import type { SweepPoint as Point } from '../src/sweep.curve.js';

const SWEEP = join(REPO_ROOT, 'tools', 'testbed', 'dist', 'sweep.main.js');
const sweep = (args: string[]) => spawnSync(process.execPath, [SWEEP, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('npm run sweep (the compiled CLI)', () => {
  it('with --sim, runs the scenario at each rate given and prints the points and the knee as one JSON object on its last line, writing sweep.csv and sweep.svg', () => {
    const out = mkdtempSync(join(tmpdir(), 'aset-sweep-spec-'));
    const r = sweep(['--scenario', 'demo', '--policy', 'latency-aware', '--sim', '--rates', '20,400', '--queries', '2000', '--seed', '3', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { scenario: string; policy: string; mode: string; seed: number; queriesPerRate: number; points: Point[]; knee: { rate: number | null; brokenBy: { rate: number; reason: string } | null } };
    expect(result).toMatchObject({ scenario: 'demo', policy: 'latency-aware', mode: 'sim', seed: 3, queriesPerRate: 2000 });
    expect(result.points.map((p) => [p.mode, p.rate, p.queries])).toEqual([
      ['sim', 20, 2000],
      ['sim', 400, 2000],
    ]);
    const [low, high] = result.points as [Point, Point];
    // At 20/s (0.28x the demo's 72.5/s) the clusters idle; at 400/s (5.5x) queues build up.
    expect(low.p50Ms).toBeLessThanOrEqual(low.p95Ms as number);
    expect(low.p95Ms).toBeLessThanOrEqual(low.p99Ms as number);
    expect(low.success).toBeGreaterThan(0.95);
    expect(high.p99Ms).toBeGreaterThan(2 * (low.p99Ms as number));
    expect(high.success).toBeLessThan(low.success);
    expect(result.knee).toMatchObject({ rate: 20, brokenBy: { rate: 400 } });
    const csv = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toBe(`sim,20,${low.p50Ms},${low.p95Ms},${low.p99Ms},${low.success},${low.dropped},${low.timedOut},2000`);
    expect(readFileSync(join(out, 'sweep.svg'), 'utf8')).toContain('>sim p99</text>');
    // Research outputs: one per-query CSV per rate, and run.json naming them.
    const rows = readFileSync(join(out, 'queries.sim-400.csv'), 'utf8').trim().split('\n');
    const columns = (rows[0] as string).split(',');
    const measured = rows.slice(1).map((line) => line.split(',')).filter((cells) => cells[columns.indexOf('warmup')] === 'false');
    expect(measured).toHaveLength(2000);
    expect(measured.filter((cells) => cells[columns.indexOf('slo_met')] === 'true').length / 2000).toBeCloseTo(high.success, 4);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { tool: string; seed: number; mode: string; scenario: { name: string }; rates: { rate: number; runId: string; queriesCsv: string }[] };
    expect(run).toMatchObject({ tool: 'sweep', seed: 3, mode: 'sim', scenario: { name: 'demo' } });
    expect(run.rates.map((r) => [r.rate, r.runId, r.queriesCsv])).toEqual([
      [20, 'sweep-sim-20-3', 'queries.sim-20.csv'],
      [400, 'sweep-sim-400-3', 'queries.sim-400.csv'],
    ]);
  });

  it('with --compare, draws an earlier sweep.csv\'s curves on the plot, labelled by their mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-sweep-spec-'));
    const earlier = join(dir, 'live.csv');
    writeFileSync(earlier, 'mode,rate,p50Ms,p95Ms,p99Ms,success,dropped,timedOut,queries\nlive,20,12,30,45,0.97,0,1,300\nlive,40,14,38,60,0.95,0,2,300\n');
    const r = sweep(['--scenario', 'demo', '--policy', 'closest', '--sim', '--rates', '20,40', '--queries', '500', '--out', dir, '--compare', earlier]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/knee: (20|40) queries\/s/);
    const svg = readFileSync(join(dir, 'sweep.svg'), 'utf8');
    for (const label of ['sim p50', 'sim p99', 'live p50', 'live p95', 'live p99']) expect(svg).toContain(`>${label}</text>`);
  });

  it.each([
    [['--rates', '10,abc'], /--rates expects a comma-separated list of numbers > 0 \(e\.g\. 10,20,40\), got "10,abc"/],
    [['--rates', '10,,20'], /--rates expects a comma-separated list of numbers > 0 \(e\.g\. 10,20,40\), got "10,,20"/],
    [['--rates', '0'], /--rates expects a comma-separated list of numbers > 0/],
    [['--rates', '10', '--queries', '0'], /--queries expects a positive integer, got "0"/],
    [['--rates', '10', '--policy', 'nope'], /--policy <name>' argument 'nope' is invalid/],
  ])('refuses %j before running anything, naming the option and the form it expects', (args, message) => {
    const r = sweep(['--scenario', 'demo', '--policy', 'closest', '--sim', ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/offers/);
  });

  it('refuses a --compare file that is not a sweep.csv, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aset-sweep-spec-'));
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'rate,p99\n10,20\n');
    const r = sweep(['--scenario', 'demo', '--policy', 'closest', '--sim', '--rates', '10', '--compare', bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`sweep failed: ${bad}:1: expected the header`);
  });

  it('sweeps an ASET policy with its checkpoint, and names the checkpoint and how to train it when it is missing', () => {
    const r = sweep(['--scenario', 'demo', '--policy', 'aset-direct', '--sim', '--rates', '40', '--queries', '1000', '--seed', '3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { policy: string; points: Point[] };
    expect(result.policy).toBe('aset-direct');
    expect(result.points[0]?.success).toBeGreaterThan(0.9);
    const missing = sweep(['--scenario', 'demo', '--policy', 'aset', '--sim', '--rates', '40', '--checkpoints', mkdtempSync(join(tmpdir(), 'aset-sweep-spec-'))]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/sweep failed: aset needs its checkpoint .*demo\.aset\.json: run npm run train -- --scenario demo --mode aset/);
  });
});
