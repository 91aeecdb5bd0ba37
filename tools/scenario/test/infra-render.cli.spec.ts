import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@aset/command-line';
import { POLICY_LAB_SCENARIO } from '@aset/scenario/testing';

/** The compiled CLI, as `npm run infra:render` runs it (build first: nx run-many -t build --projects=scenario-tools). */
const CLI = join(REPO_ROOT, 'tools/scenario/dist/infra-render.main.js');

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

describe('npm run infra:render (the compiled CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'aset-infra-render-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('refuses a bad option or value in one line naming it, and writes nothing', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    const cases: [string[], RegExp][] = [
      [['--scenario', 'demo', '--bogus'], /^error: unknown option '--bogus'/],
      [[], /^error: required option '--scenario <name\|file>' not specified/],
      [['--scenario', ' '], /^error: option '--scenario <name\|file>' argument ' ' is invalid\. --scenario expects a scenario name or file/],
      [['--scenario', 'demo', '--out', ''], /^error: option '--out <dir>' argument '' is invalid\. --out expects a directory, got ""/],
      [['--scenario', 'demo', '--out', file], /--out expects a directory, got ".*a-file" \(a file\)/],
      [['--scenario', 'demo', 'extra'], /^error: too many arguments/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args, ...(args.includes('--out') ? [] : ['--out', join(tmp, 'never')]));
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('refuses an unknown scenario with the loader error naming its file, and a scenario outside the repository', () => {
    const unknown = run('--scenario', 'no-such-scenario', '--out', join(tmp, 'never'));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^infra:render failed: invalid scenario:\n.*scenarios\/no-such-scenario\.yaml.*cannot read the file \(ENOENT\)/);

    const outside = join(tmp, 'lab.yaml');
    copyFileSync(POLICY_LAB_SCENARIO, outside);
    const r = run('--scenario', outside, '--out', join(tmp, 'never'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^infra:render failed: --scenario .*lab\.yaml: .* is outside the repository/);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('writes the files of demo as committed, then those of another scenario, removing the stale workers', () => {
    const out = join(tmp, 'infra');
    const demo = run('--scenario', 'demo', '--out', out);
    expect(demo.status, demo.stderr).toBe(0);
    const k8s = readdirSync(join(out, 'k8s')).sort();
    expect(k8s).toEqual(['config.yaml', 'kustomization.yaml', ...['cloud-1', 'cloud-2', 'far-edge-1', 'far-edge-2', 'far-edge-3', 'near-edge-1', 'near-edge-2'].map((id) => `worker-${id}.yaml`)]);
    for (const f of ['compose/compose.yaml', 'prometheus/prometheus.yml', ...k8s.map((f) => `k8s/${f}`)]) {
      expect(readFileSync(join(out, f), 'utf8'), `${f}: run npm run infra:render -- --scenario demo`).toBe(readFileSync(join(REPO_ROOT, 'infra', f), 'utf8'));
    }
    expect(demo.stdout).toContain(`infra:render: wrote ${join(out, 'k8s/worker-cloud-2.yaml')} (new)\n`);
    expect(demo.stdout).toMatch(/scenarios\/demo\.yaml: 7 clusters, 11 files \(11 written, 0 unchanged\), 0 stale worker files removed\n$/);

    expect(run('--scenario', 'scenarios/demo.yaml', '--out', out).stdout).toMatch(/11 files \(0 written, 11 unchanged\), 0 stale worker files removed/);

    const lab = run('--scenario', POLICY_LAB_SCENARIO, '--out', out);
    expect(lab.status, lab.stderr).toBe(0);
    const labFile = relative(REPO_ROOT, POLICY_LAB_SCENARIO);
    for (const id of ['far-edge-3', 'near-edge-2', 'cloud-2']) {
      expect(lab.stdout).toContain(`infra:render: removed ${join(out, `k8s/worker-${id}.yaml`)} (no cluster ${id} in ${labFile})\n`);
    }
    expect(lab.stdout).toMatch(/4 clusters, 8 files \(8 written, 0 unchanged\), 3 stale worker files removed\n$/);
    expect(readdirSync(join(out, 'k8s')).sort()).toEqual(['config.yaml', 'kustomization.yaml', 'worker-cloud-1.yaml', 'worker-far-edge-1.yaml', 'worker-far-edge-2.yaml', 'worker-near-edge-1.yaml']);
  });
});
