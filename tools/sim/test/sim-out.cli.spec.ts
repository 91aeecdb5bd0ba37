import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUERY_CSV_COLUMNS } from '@aset/workload';
import { REPO_ROOT, codeVersion, fileSha256 } from '@aset/command-line';

const CLI = join(REPO_ROOT, 'tools', 'sim', 'dist', 'sim.main.js');
const sim = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: REPO_ROOT });

/** A CSV with no quoted cells (what sim writes: `detail` is empty in the simulator) as objects. */
function rowsOf(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const columns = (header as string).split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i] as string, cell])));
}

describe('npm run sim -- --out (research outputs)', () => {
  it('writes one CSV row per query and a run.json whose results the rows reproduce', () => {
    const out = mkdtempSync(join(tmpdir(), 'aset-sim-out-'));
    const r = sim('--scenario', 'demo', '--policies', 'aset-direct', '--queries', '1500', '--seed', '11', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as { policies: Record<string, { successRatio: number }> };

    const csv = readFileSync(join(out, 'queries.aset-direct.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe(QUERY_CSV_COLUMNS.join(','));
    const rows = rowsOf(csv);
    const measured = rows.filter((row) => row['warmup'] === 'false');
    expect(measured).toHaveLength(1500);
    expect(new Set(rows.map((row) => row['query_id'])).size).toBe(rows.length);
    expect(rows.every((row) => row['run_id'] === 'sim-aset-direct-11' && row['policy'] === 'aset-direct')).toBe(true);
    // The rows give the success ratio the simulator printed.
    const met = measured.filter((row) => row['slo_met'] === 'true').length;
    expect(met / measured.length).toBeCloseTo(printed.policies['aset-direct']!.successRatio, 10);
    for (const row of measured.filter((x) => x['status'] === 'completed')) {
      expect(Number(row['latency_ms'])).toBeCloseTo(Number(row['completed_at_ms']) - Number(row['created_at_ms']), 6);
    }

    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
      tool: string;
      seed: number;
      codeVersion: { commit: string };
      scenario: { name: string; file: string; sha256: string; spec: { clusters: unknown[] } };
      policies: { policy: string; queriesCsv: string; checkpoint: { file: string; sha256: string }; summary: { successRatio: number } }[];
      command: string[];
    };
    expect(run).toMatchObject({ tool: 'sim', seed: 11, codeVersion: codeVersion() });
    expect(run.command).toContain('--out');
    expect(run.scenario).toMatchObject({ name: 'demo', file: 'scenarios/demo.yaml', sha256: fileSha256(join(REPO_ROOT, 'scenarios/demo.yaml')) });
    expect(run.scenario.spec.clusters).toHaveLength(7);
    expect(run.policies).toHaveLength(1);
    expect(run.policies[0]).toMatchObject({
      policy: 'aset-direct',
      queriesCsv: 'queries.aset-direct.csv',
      checkpoint: { file: 'checkpoints/demo.aset-direct.json', sha256: fileSha256(join(REPO_ROOT, 'checkpoints/demo.aset-direct.json')) },
      summary: { successRatio: printed.policies['aset-direct']!.successRatio },
    });
  });

  it('refuses an --out that is a file, naming the flag', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aset-sim-out-')), 'taken');
    writeFileSync(file, '');
    const r = sim('--out', file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--out expects a directory, got ".*taken" \(a file\)/);
  });
});
